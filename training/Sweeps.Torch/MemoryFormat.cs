namespace Sweeps.Torch;

/// <summary>
/// The order in which a tensor's elements lie in memory (libtorch's c10::MemoryFormat; the values are libtorch's).
/// Shapes and indices are the same in every format: a 4-D tensor is [N, C, H, W] whether its memory runs
/// N, C, H, W (<see cref="Contiguous"/>) or N, H, W, C (<see cref="ChannelsLast"/>); only its strides, and therefore
/// which kernels libtorch picks and how fast they run, differ.
/// </summary>
public enum MemoryFormat
{
    /// <summary>Row-major: the last dimension varies fastest (NCHW for images). The default of every new tensor.</summary>
    Contiguous = 0,

    /// <summary>For 4-D tensors [N, C, H, W]: memory in N, H, W, C order (NHWC). On the CPU, libtorch's oneDNN
    /// convolutions are faster in it.</summary>
    ChannelsLast = 2,
}
