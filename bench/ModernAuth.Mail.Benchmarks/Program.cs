using BenchmarkDotNet.Running;

namespace ModernAuth.Mail.Benchmarks;

/// <summary>Runs the benchmarks named on the command line, e.g. <c>--filter '*TokenInspector*' --job short</c>.</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
