namespace System.Threading.Tasks;

/// <summary>
/// The .NET 6 and .NET 8 task members the libraries use, for their netstandard2.0 builds (compiled only into those:
/// see Directory.Build.targets), so the code calls the modern API with no <c>#if</c>.
/// </summary>
internal static class TaskPolyfills
{
    /// <summary>Waits for <paramref name="task"/> unless <paramref name="cancellationToken"/> fires first; the task itself goes on (.NET 6's <c>Task&lt;T&gt;.WaitAsync</c>).</summary>
    public static Task<T> WaitAsync<T>(this Task<T> task, CancellationToken cancellationToken)
    {
        if (task.IsCompleted || !cancellationToken.CanBeCanceled)
        {
            return task;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        return WaitSlowAsync(task, cancellationToken);

        static async Task<T> WaitSlowAsync(Task<T> task, CancellationToken cancellationToken)
        {
            var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            using (cancellationToken.Register(static s => ((TaskCompletionSource<bool>)s!).TrySetResult(true), cancelled))
            {
                if (await Task.WhenAny(task, cancelled.Task).ConfigureAwait(false) != task)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }

            return await task.ConfigureAwait(false);
        }
    }

    extension(Task)
    {
        /// <summary>Waits on <paramref name="timeProvider"/>'s clock (.NET 8's <c>Task.Delay(TimeSpan, TimeProvider, CancellationToken)</c>).</summary>
        public static Task Delay(TimeSpan delay, TimeProvider timeProvider, CancellationToken cancellationToken) =>
            timeProvider.Delay(delay, cancellationToken);
    }
}
