namespace Sweeps.Torch;

/// <summary>Maps CLR element types to <see cref="ScalarType"/>.</summary>
public static class ScalarTypes
{
    /// <summary>The scalar type that stores values of <typeparamref name="T"/>.</summary>
    /// <exception cref="NotSupportedException">T has no libtorch counterpart.</exception>
    public static ScalarType Of<T>()
        where T : unmanaged =>
        typeof(T) == typeof(float) ? ScalarType.Float32
        : typeof(T) == typeof(double) ? ScalarType.Float64
        : typeof(T) == typeof(long) ? ScalarType.Int64
        : typeof(T) == typeof(int) ? ScalarType.Int32
        : typeof(T) == typeof(short) ? ScalarType.Int16
        : typeof(T) == typeof(sbyte) ? ScalarType.Int8
        : typeof(T) == typeof(byte) ? ScalarType.Byte
        : typeof(T) == typeof(bool) ? ScalarType.Bool
        : typeof(T) == typeof(Half) ? ScalarType.Float16
        : throw new NotSupportedException($"{typeof(T).Name} has no libtorch scalar type");

    /// <summary>Whether the type is a floating-point type.</summary>
    public static bool IsFloatingPoint(this ScalarType type) =>
        type is ScalarType.Float16 or ScalarType.Float32 or ScalarType.Float64 or ScalarType.BFloat16;
}
