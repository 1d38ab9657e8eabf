using System.Runtime.InteropServices;
using Sweeps.Torch.Native;

namespace Sweeps.Torch.Serialization;

/// <summary>
/// Reads and writes state dicts ({name: tensor}) in the file format of PyTorch's
/// <c>torch.save</c> / <c>torch.load</c> (a zip archive holding a pickled dict). A file written here
/// opens in Python with <c>torch.load(path)</c> (a dict with the same names, shapes, dtypes and
/// values); a file written in Python by <c>torch.save</c> of a dict or an <c>OrderedDict</c> of
/// tensors (such as <c>model.state_dict()</c>, nn.Parameter values included) loads here.
/// </summary>
/// <remarks>Thread-safe: every call works on its own file handle.</remarks>
public static class StateDictFile
{
    /// <summary>
    /// Writes the entries, in their order, to <paramref name="path"/>. Tensors are saved detached,
    /// on the CPU, compacted (a view saves only its own elements). Atomic: the file is written
    /// next to <paramref name="path"/> and renamed over it, so a reader never sees half a file.
    /// </summary>
    /// <exception cref="ArgumentNullException">A null argument, key or tensor.</exception>
    /// <exception cref="ArgumentException">An empty path or a duplicate key.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="path"/> does not exist.</exception>
    /// <exception cref="TorchException">Writing failed; the message names the file.</exception>
    public static unsafe void Save(IEnumerable<KeyValuePair<string, Tensor>> entries, string path)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var items = entries.ToArray();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, tensor) in items)
        {
            if (key is null)
            {
                throw new ArgumentNullException(nameof(entries), "a state-dict key is null");
            }

            if (tensor is null)
            {
                throw new ArgumentNullException(nameof(entries), $"the tensor of '{key}' is null");
            }

            if (!keys.Add(key))
            {
                throw new ArgumentException($"duplicate state-dict key '{key}'", nameof(entries));
            }
        }

        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full);
        if (folder is not null && !Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"cannot save a state dict to '{full}': the folder does not exist");
        }

        var names = new IntPtr[items.Length];
        var handles = new IntPtr[items.Length];
        try
        {
            for (var i = 0; i < items.Length; i++)
            {
                names[i] = Marshal.StringToCoTaskMemUTF8(items[i].Key);
                handles[i] = items[i].Value.Handle.DangerousGetHandle();
            }

            int status;
            fixed (IntPtr* n = names)
            fixed (IntPtr* t = handles)
            {
                status = NativeMethods.swSerialize_save(n, t, items.Length, full);
            }

            GC.KeepAlive(items);
            if (status < 0)
            {
                var error = TorchException.FromNative();
                throw new TorchException($"cannot save a state dict to '{full}': {error.Message}", error);
            }
        }
        finally
        {
            foreach (var n in names)
            {
                Marshal.FreeCoTaskMem(n);
            }
        }
    }

    /// <summary>
    /// Reads a state dict written by <see cref="Save"/> or by Python's <c>torch.save</c>, in the
    /// file's order. Every tensor is on the CPU, does not require a gradient, and is new: it joins
    /// the current <see cref="DisposeScope"/> like any created tensor, or belongs to the caller when
    /// there is none.
    /// </summary>
    /// <exception cref="ArgumentException">An empty path.</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="TorchException">The file is not a torch.save archive, is damaged, or holds
    /// something other than a dict of tensors (e.g. a value that is not a tensor); the message names
    /// the file.</exception>
    public static OrderedDictionary<string, Tensor> Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"state-dict file '{full}' does not exist", full);
        }

        var dict = NativeMethods.Check(NativeMethods.swSerialize_load(full));
        var result = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            var count = NativeMethods.Check(NativeMethods.swSerialize_count(dict));
            for (var i = 0; i < count; i++)
            {
                var name = Marshal.PtrToStringUTF8(NativeMethods.Check(NativeMethods.swSerialize_name(dict, i)))!;
                result.Add(name, Tensor.Wrap(NativeMethods.swSerialize_tensor(dict, i)));
            }
        }
        catch
        {
            foreach (var t in result.Values)
            {
                t.Dispose();
            }

            throw;
        }
        finally
        {
            NativeMethods.swSerialize_free(dict);
        }

        return result;
    }
}
