using BenchmarkDotNet.Running;

namespace ModernAuth.Mail.Benchmarks;

/// <summary>
/// Runs the benchmarks named on the command line, e.g. <c>--filter '*TokenInspector*' --job short</c>; or, with
/// <c>mailkit-interleaved [rounds]</c>, <see cref="MailKitAuthenticationBenchmarks.RunInterleavedAsync"/>.
/// </summary>
public static class Program
{
    public static async Task Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "mailkit-interleaved")
        {
            await MailKitAuthenticationBenchmarks.RunInterleavedAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200, Console.Out);
            return;
        }

        TokenRequestsColumn.Reset();
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
