namespace ModernAuth.Mail.Tests.Shared;

/// <summary>The repository's root (the folder with ModernAuth.Mail.sln), found above the test's output folder.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    /// <summary>A file below the root, e.g. <c>File("docs", "admins.md")</c>.</summary>
    public static string File(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(System.IO.Path.Combine(dir.FullName, "ModernAuth.Mail.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (with ModernAuth.Mail.sln) was not found above " + AppContext.BaseDirectory);
    }
}
