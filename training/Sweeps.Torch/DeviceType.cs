namespace Sweeps.Torch;

/// <summary>Kinds of devices; the values are libtorch's (c10::DeviceType).</summary>
public enum DeviceType
{
    /// <summary>The host processor.</summary>
    Cpu = 0,

    /// <summary>An NVIDIA GPU.</summary>
    Cuda = 1,
}
