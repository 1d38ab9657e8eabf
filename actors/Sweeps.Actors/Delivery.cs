namespace Sweeps.Actors;

/// <summary>
/// Sends a trial's event until the transport takes it: a broker that is down for a while (restarted, a network
/// blip) delays the event instead of losing it or failing a trial that has been training for hours.
/// </summary>
public static class Delivery
{
    /// <summary>The pause between two attempts.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Calls <paramref name="send"/> until it returns without an exception; stops (with
    /// <see cref="OperationCanceledException"/>) only when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    /// <param name="send">One attempt to hand the event to the transport.</param>
    /// <param name="failed">Told of each failed attempt (its number and exception), e.g. to log it.</param>
    /// <param name="cancellationToken">Gives up.</param>
    /// <param name="retryDelay">The pause between two attempts; <see cref="RetryDelay"/> when null.</param>
    public static async Task UntilSentAsync(Func<Task> send, Action<int, Exception>? failed, CancellationToken cancellationToken, TimeSpan? retryDelay = null)
    {
        ArgumentNullException.ThrowIfNull(send);
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await send().ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failed?.Invoke(attempt, ex);
                await Task.Delay(retryDelay ?? RetryDelay, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
