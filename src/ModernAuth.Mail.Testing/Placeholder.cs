namespace ModernAuth.Mail.Testing; internal static class Placeholder {}
