using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModernAuth.Mail.Relay;

// The relay as a service: configuration from appsettings.json, environment variables (Relay__...) and the command
// line; see docs/relay.md for the "Relay" section and a systemd unit.
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddModernAuthMailRelay(builder.Configuration.GetSection("Relay"));
builder.Services.AddSystemd();          // Type=notify under systemd; a no-op otherwise
builder.Services.AddWindowsService();   // when started by the Windows service manager; a no-op otherwise
await builder.Build().RunAsync();
