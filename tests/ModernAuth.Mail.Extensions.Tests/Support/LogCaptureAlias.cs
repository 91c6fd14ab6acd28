// The one log capture of the test projects (tests/Shared), under the name these tests grew up with.
global using LogCapture = ModernAuth.Mail.Tests.Shared.CapturingLoggerProvider;
