using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Tokens;
using YamlDotNet.RepresentationModel;

namespace Sweeps.Actors.Planning;

/// <summary>
/// Loads YAML text into its representation model and turns every syntax error into a <see cref="SweepFileException"/>
/// at <c>file:line:column</c> saying what was expected. YamlDotNet reports some errors well (a position and "did not
/// find expected ',' or ']'") and some not at all (an unclosed <c>[</c> followed by more keys makes its scanner throw an
/// <see cref="InvalidOperationException"/> without a position), so a failed load is diagnosed again from the token
/// stream: an unclosed or mismatched bracket is reported where it was opened.
/// </summary>
internal static class YamlSyntax
{
    /// <summary>The root node of the first document, or null for an empty text.</summary>
    /// <exception cref="SweepFileException">The text is not valid YAML.</exception>
    public static YamlNode? Load(string text, string file)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (Exception ex) when (ex is YamlException or InvalidOperationException)
        {
            throw Diagnose(text, file, ex);
        }

        return stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
    }

    private static SweepFileException Diagnose(string text, string file, Exception failure)
    {
        var open = new Stack<Token>();
        Mark last = Mark.Empty;
        var scanner = new Scanner(new StringReader(text));
        try
        {
            while (scanner.MoveNext())
            {
                var token = scanner.Current!;
                last = token.Start;
                switch (token)
                {
                    case FlowSequenceStart or FlowMappingStart:
                        open.Push(token);
                        break;
                    case FlowSequenceEnd or FlowMappingEnd:
                        var closing = token is FlowSequenceEnd ? ']' : '}';
                        if (open.Count == 0)
                        {
                            return Error(file, token.Start, $"not valid YAML: found '{closing}' without a matching '{(closing == ']' ? '[' : '{')}'");
                        }

                        var opened = open.Pop();
                        if ((opened is FlowSequenceStart) != (token is FlowSequenceEnd))
                        {
                            return Error(file, token.Start, $"not valid YAML: found '{closing}', but {Describe(opened)} is not closed: expected ',' or '{Closer(opened)}'");
                        }

                        break;
                }
            }
        }
        catch (Exception ex) when (ex is YamlException or InvalidOperationException)
        {
            // The scanner stops here too; the brackets seen so far still tell what is unclosed.
        }

        if (open.Count > 0)
        {
            var unclosed = open.Peek();
            return Error(file, unclosed.Start, $"not valid YAML: {Describe(unclosed)} is not closed: expected ',' and more items, or '{Closer(unclosed)}' to close it");
        }

        if (failure is YamlException yaml && yaml.Start.Line > 0)
        {
            return Error(file, yaml.Start, "not valid YAML: " + Sentence(yaml.Message));
        }

        return last.Line > 0
            ? Error(file, last, "not valid YAML: the YAML parser stopped here")
            : new SweepFileException(file, 1, 1, null, "not valid YAML");
    }

    private static string Describe(Token opened) => opened is FlowSequenceStart
        ? string.Create(CultureInfo.InvariantCulture, $"the list '[' opened at line {opened.Start.Line}, column {opened.Start.Column}")
        : string.Create(CultureInfo.InvariantCulture, $"the mapping '{{' opened at line {opened.Start.Line}, column {opened.Start.Column}");

    private static char Closer(Token opened) => opened is FlowSequenceStart ? ']' : '}';

    /// <summary>YamlDotNet's message as a clause: "While parsing X, did not find expected Y." -> "while parsing X, ...".</summary>
    private static string Sentence(string message)
    {
        var text = message.Trim().TrimEnd('.');
        return text.Length == 0 ? "syntax error" : char.ToLowerInvariant(text[0]) + text[1..];
    }

    private static SweepFileException Error(string file, Mark at, string problem) =>
        new(file, (int)at.Line, (int)at.Column, null, problem);
}
