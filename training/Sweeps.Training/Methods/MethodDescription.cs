namespace Sweeps.Training.Methods;

/// <summary>A registered method as help texts show it (see <see cref="MethodRegistry.Descriptions"/>).</summary>
/// <param name="Name">The registry name (<c>--method</c>).</param>
/// <param name="Summary">One line: what it trains and its loss terms (<see cref="TrainingMethod.Summary"/>).</param>
/// <param name="IsReconstruction">Whether it is our reconstruction from a paper's abstract and its parent methods
/// (<see cref="TrainingMethod.IsReconstruction"/>).</param>
public sealed record MethodDescription(string Name, string Summary, bool IsReconstruction);
