using System.Collections.Concurrent;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace ModernAuth.Mail.Benchmarks;

/// <summary>Shows how many token requests the fake Entra ID saw per invocation (the largest seen in any iteration).</summary>
public sealed class TokenRequestsColumn : IColumn
{
    private static readonly string Store = Path.Combine(Path.GetTempPath(), "modernauth-mail-bench-token-requests");

    public string Id => nameof(TokenRequestsColumn);

    public string ColumnName => "TokenRequests";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Token requests made to the fake Entra ID by one invocation (largest over all iterations)";

    // Benchmarks run in a child process: the count travels through a file per benchmark case.
    public static void Record(string type, string method, int count)
    {
        Directory.CreateDirectory(Store);
        var file = Path.Combine(Store, type + "." + method);
        var previous = File.Exists(file) ? int.Parse(File.ReadAllText(file), System.Globalization.CultureInfo.InvariantCulture) : 0;
        File.WriteAllText(file, Math.Max(previous, count).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Forgets counts of earlier runs; the host process calls it before running benchmarks.</summary>
    public static void Reset()
    {
        if (Directory.Exists(Store))
        {
            Directory.Delete(Store, recursive: true);
        }
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var file = Path.Combine(Store, benchmarkCase.Descriptor.Type.Name + "." + benchmarkCase.Descriptor.WorkloadMethod.Name);
        return File.Exists(file) ? File.ReadAllText(file) : "?";
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}

public sealed class TokenRequestsConfig : ManualConfig
{
    public TokenRequestsConfig() => AddColumn(new TokenRequestsColumn());
}
