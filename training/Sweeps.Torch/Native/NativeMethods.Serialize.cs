using System.Runtime.InteropServices;

namespace Sweeps.Torch.Native;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swSerialize_save(IntPtr* names, IntPtr* tensors, int count, string path);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swSerialize_load(string path);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int swSerialize_count(IntPtr dict);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swSerialize_name(IntPtr dict, int index);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr swSerialize_tensor(IntPtr dict, int index);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void swSerialize_free(IntPtr dict);
}
