using System.Text.Json;

namespace Sweeps.Torch.Tests;

/// <summary>
/// Files written once per test class by reference/serialize_state_dict.py with PyTorch's torch.save
/// (plain.pt, model.pt, not_tensor.pt, legacy.pt, list.pt), and what torch.load reads back from them.
/// </summary>
public sealed class SerializationReferenceFiles : IDisposable
{
    public SerializationReferenceFiles()
    {
        Folder = Directory.CreateTempSubdirectory("sweeps-statedict-py-").FullName;
        Expected = PythonReference.Run("serialize_state_dict.py", "write", Folder);
    }

    public string Folder { get; }

    public JsonElement Expected { get; }

    public string PathOf(string file) => Path.Combine(Folder, file);

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
