namespace Sweeps.Torch;

/// <summary>Element types of tensors; the values are libtorch's (c10::ScalarType).</summary>
public enum ScalarType
{
    /// <summary>8-bit unsigned integer (uint8).</summary>
    Byte = 0,

    /// <summary>8-bit signed integer (int8).</summary>
    Int8 = 1,

    /// <summary>16-bit signed integer.</summary>
    Int16 = 2,

    /// <summary>32-bit signed integer.</summary>
    Int32 = 3,

    /// <summary>64-bit signed integer (indices, class labels).</summary>
    Int64 = 4,

    /// <summary>16-bit IEEE float.</summary>
    Float16 = 5,

    /// <summary>32-bit IEEE float (the default).</summary>
    Float32 = 6,

    /// <summary>64-bit IEEE float.</summary>
    Float64 = 7,

    /// <summary>Boolean (one byte per element).</summary>
    Bool = 11,

    /// <summary>bfloat16.</summary>
    BFloat16 = 15,
}
