using System.Diagnostics;
using System.Globalization;

namespace ModernAuth.Mail.Benchmarks;

/// <summary>
/// Times in-memory rows (a cached token, say) side by side in one process: each round runs every row for the same
/// number of calls, one row after the other, starting with a different row each round; the result is each row's median
/// time per call over the rounds, its ratio to the first row, and the bytes it allocated per call on the calling thread.
/// Noise that comes and goes on a shared machine (another virtual machine on the host, say) then falls on every row alike,
/// where BenchmarkDotNet's default runs one row after the other and can give all of a noisy stretch to one row.
/// </summary>
internal static class InterleavedRows
{
    /// <summary>Runs <paramref name="rows"/> interleaved and writes a Markdown table to <paramref name="output"/>.</summary>
    /// <param name="rows">The rows; the first is the baseline.</param>
    /// <param name="rounds">How many rounds are timed (after three warm-up rounds).</param>
    /// <param name="callsPerRound">How many calls each row makes per round.</param>
    /// <param name="output">Where the table goes.</param>
    public static async Task RunAsync(IReadOnlyList<(string Name, Func<ValueTask<string>> Call)> rows, int rounds, int callsPerRound, TextWriter output)
    {
        var times = rows.Select(_ => new List<double>(rounds)).ToArray();
        var bytes = new long[rows.Count];
        for (var warm = 0; warm < 3; warm++)
        {
            foreach (var row in rows)
            {
                for (var i = 0; i < callsPerRound; i++)
                {
                    await row.Call().ConfigureAwait(false);
                }
            }
        }

        for (var round = 0; round < rounds; round++)
        {
            for (var k = 0; k < rows.Count; k++)
            {
                var r = (round + k) % rows.Count;
                var call = rows[r].Call;
                var before = GC.GetAllocatedBytesForCurrentThread();
                var started = Stopwatch.GetTimestamp();
                for (var i = 0; i < callsPerRound; i++)
                {
                    await call().ConfigureAwait(false);
                }

                var elapsed = Stopwatch.GetElapsedTime(started);
                bytes[r] += GC.GetAllocatedBytesForCurrentThread() - before;
                times[r].Add(elapsed.TotalMilliseconds * 1_000_000 / callsPerRound);
            }
        }

        var baseline = Median(times[0]);
        output.WriteLine("| row | median ns/call | ratio | bytes/call |");
        output.WriteLine("|---|---:|---:|---:|");
        for (var r = 0; r < rows.Count; r++)
        {
            var median = Median(times[r]);
            output.WriteLine(string.Format(CultureInfo.InvariantCulture, "| {0} | {1:F1} | {2:F3} | {3:F2} |", rows[r].Name, median, median / baseline, (double)bytes[r] / ((long)rounds * callsPerRound)));
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
