namespace ModernAuth.Mail.PowerShell.SignIn;

/// <summary>
/// One sign-in parameter set of <see cref="SignInParameterSets.Flows"/>: named after the parameter that selects it, the
/// flow it signs in with, and the settings its parameters give (a profile does not complete those).
/// </summary>
internal sealed record SignInFlow(string ParameterSet, MailTokenFlow Flow, IReadOnlyList<string> Settings);
