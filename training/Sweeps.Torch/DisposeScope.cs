namespace Sweeps.Torch;

/// <summary>
/// Disposes, when it is disposed, every tensor created on this thread while it was the current
/// scope. Scopes nest per thread; the innermost is current. Keep a result with
/// <see cref="MoveToOuter(Tensor)"/> (it then belongs to the enclosing scope, or to nobody).
/// </summary>
/// <example><code>
/// using (var scope = DisposeScope.Enter())
/// {
///     var loss = Functional.CrossEntropy(model.Forward(x), y);
///     loss.Backward();
///     result = scope.MoveToOuter(loss.Detach());
/// }
/// </code></example>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic]
    private static DisposeScope? t_current;

    private readonly HashSet<Tensor> _tensors = new(ReferenceEqualityComparer.Instance);
    private readonly DisposeScope? _outer;
    private readonly int _threadId;
    private bool _disposed;

    private DisposeScope(DisposeScope? outer)
    {
        _outer = outer;
        _threadId = Environment.CurrentManagedThreadId;
    }

    /// <summary>The innermost scope of this thread, or null.</summary>
    public static DisposeScope? Current => t_current;

    /// <summary>Number of tensors this scope currently owns.</summary>
    public int Count => _tensors.Count;

    /// <summary>Opens a scope and makes it current on this thread.</summary>
    public static DisposeScope Enter()
    {
        var scope = new DisposeScope(t_current);
        t_current = scope;
        return scope;
    }

    /// <summary>Hands the tensor to the enclosing scope (or to the caller when there is none) and returns it.</summary>
    public Tensor MoveToOuter(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Scope == this)
        {
            _tensors.Remove(tensor);
            tensor.Scope = null;
            _outer?.Attach(tensor);
        }

        return tensor;
    }

    /// <summary>Removes the tensor from whatever scope owns it: the caller now owns it.</summary>
    public static Tensor Detach(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        tensor.Scope?.Forget(tensor);
        tensor.Scope = null;
        return tensor;
    }

    internal void Attach(Tensor tensor)
    {
        if (_disposed)
        {
            return;
        }

        _tensors.Add(tensor);
        tensor.Scope = this;
    }

    internal void Forget(Tensor tensor) => _tensors.Remove(tensor);

    /// <summary>Disposes every tensor still owned and makes the enclosing scope current again.</summary>
    /// <exception cref="InvalidOperationException">Disposed on another thread than the one that entered it,
    /// or while an inner scope is still open.</exception>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        if (Environment.CurrentManagedThreadId != _threadId)
        {
            throw new InvalidOperationException("a DisposeScope must be disposed on the thread that entered it");
        }

        if (t_current != this)
        {
            throw new InvalidOperationException("an inner DisposeScope is still open: dispose scopes in reverse order");
        }

        _disposed = true;
        t_current = _outer;
        foreach (var tensor in _tensors.ToArray())
        {
            tensor.Scope = null;
            tensor.Dispose();
        }

        _tensors.Clear();
    }
}
