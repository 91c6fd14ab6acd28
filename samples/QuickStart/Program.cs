// The quick starts need a real tenant; run the offline sandbox (see README) to see them work end to end.
Console.WriteLine("ModernAuth.Mail quick starts: see QuickStartSnippets.cs and README.md.");
