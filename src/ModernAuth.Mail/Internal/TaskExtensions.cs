namespace ModernAuth.Mail.Internal;

internal static class TaskExtensions
{
    /// <summary>Waits for <paramref name="task"/> unless <paramref name="cancellationToken"/> fires first; the task itself goes on.</summary>
    public static Task<T> WaitForAsync<T>(this Task<T> task, CancellationToken cancellationToken)
    {
#if NET6_0_OR_GREATER
        return task.WaitAsync(cancellationToken);
#else
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
#endif
    }
}
