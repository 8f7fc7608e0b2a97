namespace ReviewWatch.Tests.Infrastructure;

/// <summary>
/// Golden-file snapshots of what people read (Verify cannot be restored here). A mismatch writes
/// <c>name.received.txt</c> beside the golden file; run with REVIEWWATCH_UPDATE_SNAPSHOTS=1 to accept.
/// </summary>
public static class Snapshot
{
    public static void Match(string folder, string name, string actual)
    {
        var dir = Path.Combine(TestPaths.RepositoryRoot, "tests", "ReviewWatch.Tests", folder, "Snapshots");
        Directory.CreateDirectory(dir);
        var golden = Path.Combine(dir, name + ".verified.txt");
        var received = Path.Combine(dir, name + ".received.txt");
        actual = actual.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (Environment.GetEnvironmentVariable("REVIEWWATCH_UPDATE_SNAPSHOTS") == "1")
        {
            File.WriteAllText(golden, actual);
        }

        if (!File.Exists(golden))
        {
            File.WriteAllText(received, actual);
            Assert.Fail($"No snapshot {golden}; wrote {received}. Review it and rename it to accept.");
        }

        var expected = File.ReadAllText(golden).Replace("\r\n", "\n", StringComparison.Ordinal);
        if (expected != actual)
        {
            File.WriteAllText(received, actual);
        }
        else if (File.Exists(received))
        {
            File.Delete(received);
        }

        Assert.Equal(expected, actual);
    }
}
