using ModernAuth.Mail;
using ModernAuth.Mail.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds ModernAuth.Mail to a service collection.</summary>
public static class ModernAuthMailServiceCollectionExtensions
{
    /// <summary>
    /// Adds the ModernAuth.Mail services (<see cref="MailTokenProviderFactory"/>, the unnamed
    /// <see cref="MailTokenProvider"/>, start-up validation) with <c>TryAdd</c> semantics, so calling it again, or
    /// replacing a service before, is safe. Register providers on the returned builder.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder for named providers and the distributed token cache.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    /// <example>
    /// <code>
    /// builder.Services.AddModernAuthMail()
    ///     .AddFromConfiguration(builder.Configuration.GetSection("ModernAuthMail"))
    ///     .AddDistributedTokenCache();
    /// </code>
    /// </example>
    public static ModernAuthMailBuilder AddModernAuthMail(this IServiceCollection services)
    {
        if (services is null)
        {
            throw new ArgumentNullException(nameof(services));
        }

        return new ModernAuthMailBuilder(services);
    }
}
