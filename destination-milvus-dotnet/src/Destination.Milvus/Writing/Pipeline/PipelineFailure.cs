namespace Destination.Milvus.Writing.Pipeline;

/// <summary>
/// The pipeline's failure latch: the first failure of any stage is kept and cancels every stage (through
/// <see cref="Token"/> and the stop callback, which completes the channels so no stage waits forever). <c>write</c>
/// sees the failure at its next call into the pipeline. Cancellations caused by the latch itself are not failures.
/// Thread-safe.
/// </summary>
internal sealed class PipelineFailure : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly Lock _gate = new();
    private Action? _onStop;
    private Exception? _failure;

    /// <summary>Cancelled on the first failure, or when the pipeline is disposed.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>The first failure; null while every stage is fine.</summary>
    public Exception? Failure
    {
        get
        {
            lock (_gate)
            {
                return _failure;
            }
        }
    }

    /// <summary>Sets what else must stop on a failure (completing the channels between the stages).</summary>
    public void OnStop(Action stop) => _onStop = stop;

    /// <summary>Records <paramref name="exception"/> unless a failure came first, then stops every stage.</summary>
    public void Fail(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        lock (_gate)
        {
            if (_failure is null && !(exception is OperationCanceledException && _cts.IsCancellationRequested))
            {
                _failure = exception;
            }
        }

        Stop();
    }

    /// <summary>Stops every stage without a failure (the pipeline is disposed before it completed).</summary>
    public void Stop()
    {
        _cts.Cancel();
        _onStop?.Invoke();
    }

    /// <summary>Throws the first failure, as what the sync reports, if there was one.</summary>
    public void ThrowIfFailed()
    {
        if (Failure is { } failure)
        {
            throw Protocol.DestinationErrors.From(failure);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _cts.Dispose();
}
