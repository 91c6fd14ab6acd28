using BenchmarkDotNet.Running;

namespace ModernAuth.Mail.Benchmarks;

/// <summary>
/// Runs the benchmarks named on the command line, e.g. <c>--filter '*TokenInspector*' --job short</c>; or, with
/// <c>mailkit-interleaved [rounds]</c>, <see cref="MailKitAuthenticationBenchmarks.RunInterleavedAsync"/>;
/// <c>smtpclient-interleaved [rounds]</c>, <see cref="SmtpClientDropInBenchmarks.RunInterleavedAsync"/>;
/// <c>cached-tokens-interleaved [rounds]</c>, <see cref="InteractiveBrowserBenchmarks.RunFlowsInterleavedAsync"/>;
/// <c>relay-throughput [messages]</c>, <c>relay-memory [messages]</c>, <c>relay-login-flood [logins]</c> and
/// <c>relay-large [clients] [MB]</c>, the runners of <see cref="RelayBenchmarks"/>.
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

        if (args.Length > 0 && args[0] == "smtpclient-interleaved")
        {
            await SmtpClientDropInBenchmarks.RunInterleavedAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200, Console.Out);
            return;
        }

        if (args.Length > 0 && args[0] == "--ews-interleaved")
        {
            await EwsHandlerBenchmarks.RunInterleavedAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20_000);
            return;
        }

        if (args.Length > 0 && args[0] == "--azure-identity-interleaved")
        {
            await AzureIdentityBridgeBenchmarks.RunInterleavedAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200, 10_000, Console.Out);
            return;
        }

        if (args.Length > 0 && args[0] == "cached-tokens-interleaved")
        {
            await InteractiveBrowserBenchmarks.RunFlowsInterleavedAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2_000, 50_000, Console.Out);
            return;
        }

        if (args.Length > 0 && args[0] == "--graph-interleaved")
        {
            await GraphBridgeBenchmarks.RunInterleavedAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5_000, Console.Out);
            return;
        }

        if (args.Length > 0 && args[0] is "relay-throughput" or "relay-memory")
        {
            var count = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : (args[0] == "relay-memory" ? 10_000 : 400);
            await (args[0] == "relay-memory" ? RelayBenchmarks.RunMemoryAsync(count, Console.Out) : RelayBenchmarks.RunThroughputAsync(count, Console.Out));
            return;
        }

        if (args.Length > 0 && args[0] == "relay-login-flood")
        {
            await RelayBenchmarks.RunLoginFloodAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200, Console.Out);
            return;
        }

        if (args.Length > 0 && args[0] == "relay-large")
        {
            await RelayBenchmarks.RunLargeMessagesAsync(
                args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200,
                args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 10,
                Console.Out,
                args.Length > 3 ? long.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 512);
            return;
        }

        TokenRequestsColumn.Reset();
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
