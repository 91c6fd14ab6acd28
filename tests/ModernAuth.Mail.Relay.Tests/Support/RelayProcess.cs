using System.Diagnostics;
using System.Text.Json;

namespace ModernAuth.Mail.Relay.Tests.Support;

/// <summary>
/// The relay in a child process (tests/ModernAuth.Mail.Relay.TestHost, the generic host as <c>modernauth-mail relay</c>
/// runs it), so a test can <see cref="Kill"/> it at any point, as <c>kill -9</c> would, and start it again on the same spool.
/// </summary>
public sealed class RelayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = new();
    private readonly object _gate = new();

    private RelayProcess(Process process)
    {
        _process = process;
    }

    public int Port { get; private set; }

    public static string WriteConfiguration(TestEnvironment env, string spool, int port = 0)
    {
        var servers = env.Servers;
        var config = new
        {
            Logging = new { LogLevel = new { Default = "Warning" } },
            Relay = new
            {
                Listen = new[] { $"127.0.0.1:{port}" },
                SpoolDirectory = spool,
                Networks = new[] { new { Ranges = new[] { "127.0.0.0/8" }, AllowedSenders = new[] { "@contoso.test" } } },
                Routes = new[] { new { Senders = new[] { "*" }, Provider = "test" } },
                Upstream = new { Host = servers.Host, Port = servers.SubmissionPort, TlsMode = "StartTls", TrustedCertificatePath = servers.CertificatePath, Timeout = "00:00:20" },
                Delivery = new { InitialRetryDelay = "00:00:00.200", MaxRetryDelay = "00:00:01", RateLimitCount = 0 },
            },
        };
        var path = Path.Combine(env.SpoolDirectory, $"relay-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(config));
        return path;
    }

    public static async Task<RelayProcess> StartAsync(TestEnvironment env, string configuration, string hook = "")
    {
        var host = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "ModernAuth.Mail.Relay.TestHost", "bin");
        var dll = Directory.EnumerateFiles(host, "ModernAuth.Mail.Relay.TestHost.dll", SearchOption.AllDirectories)
            .Where(p => p.Contains(Path.DirectorySeparatorChar + (AppContext.BaseDirectory.Contains("Release", StringComparison.Ordinal) ? "Release" : "Debug") + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .OrderByDescending(File.GetLastWriteTimeUtc)
            .FirstOrDefault() ?? throw new InvalidOperationException($"The test host is not built under {host}: build tests/ModernAuth.Mail.Relay.TestHost.");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { dll, configuration, env.Servers.SigningKeyPath, env.Servers.KeyId, env.Servers.TenantId, env.ClientId, env.Secret, hook })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        var process = new RelayProcess(Process.Start(start)!);
        process._process.OutputDataReceived += (_, e) => process.Add(e.Data);
        process._process.ErrorDataReceived += (_, e) => process.Add(e.Data);
        process._process.BeginOutputReadLine();
        process._process.BeginErrorReadLine();
        var line = await process.WaitForLineAsync("LISTENING ", TimeSpan.FromSeconds(30));
        process.Port = int.Parse(line["LISTENING ".Length..], System.Globalization.CultureInfo.InvariantCulture);
        return process;
    }

    public async Task<string> WaitForLineAsync(string prefix, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            lock (_gate)
            {
                var line = _lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
                if (line is not null)
                {
                    return line;
                }
            }

            if (_process.HasExited)
            {
                break;
            }

            await Task.Delay(20);
        }

        lock (_gate)
        {
            throw new TimeoutException($"The relay process did not print '{prefix}' (exited: {_process.HasExited}). Output:\n{string.Join("\n", _lines)}");
        }
    }

    /// <summary>Kills the process at once (SIGKILL on Linux), like <c>kill -9</c>.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
        await Task.CompletedTask;
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _lines.Add(line);
        }
    }
}
