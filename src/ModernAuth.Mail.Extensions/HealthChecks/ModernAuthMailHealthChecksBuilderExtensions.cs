using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using ModernAuth.Mail.Extensions;
using ModernAuth.Mail.Extensions.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds a health check of the ModernAuth.Mail providers.</summary>
public static class ModernAuthMailHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check that asks every registered provider for a token (served from its cache when it has one). Healthy
    /// when all get one; otherwise <paramref name="failureStatus"/>, with the failing providers and their error codes
    /// and remedies in the description. The data holds, per provider name, <c>healthy</c> or the error code. Tokens
    /// never appear. A device code provider with no signed-in user reports <c>interaction_required</c> without starting
    /// a sign-in.
    /// </summary>
    /// <param name="builder">The health checks builder (from <c>services.AddHealthChecks()</c>).</param>
    /// <param name="name">The check's name. Default <c>modernauth-mail</c>.</param>
    /// <param name="failureStatus">The status when a provider fails. Default <see langword="null"/>: <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by. Default none.</param>
    /// <param name="timeout">How long the check may take. Default <see langword="null"/>: 30 seconds.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IHealthChecksBuilder AddModernAuthMail(this IHealthChecksBuilder builder, string name = "modernauth-mail", HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null, TimeSpan? timeout = null)
    {
        if (builder is null)
        {
            throw new ArgumentNullException(nameof(builder));
        }

        return builder.Add(new HealthCheckRegistration(
            name,
            sp => new MailTokenProviderHealthCheck(sp.GetRequiredService<MailTokenProviderFactory>(), names: null, sp.GetService<ILoggerFactory>()),
            failureStatus,
            tags,
            timeout ?? TimeSpan.FromSeconds(30)));
    }
}
