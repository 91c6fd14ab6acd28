using BenchmarkDotNet.Running;

namespace ModernAuth.Mail.Benchmarks;

/// <summary>Runs the benchmarks named on the command line, e.g. <c>--filter '*TokenInspector*' --job short</c>.</summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--ews-interleaved")
        {
            EwsHandlerBenchmarks.RunInterleavedAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20_000).GetAwaiter().GetResult();
            return;
        }

        TokenRequestsColumn.Reset();
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
