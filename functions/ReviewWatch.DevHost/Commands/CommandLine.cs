namespace ReviewWatch.DevHost.Commands;

/// <summary>Tiny "--name value" option reader; the command set is small enough that a parser library would be more code.</summary>
public sealed class CommandLine(string[] args)
{
    public string? Option(string name)
    {
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--" + name)
            {
                return args[i + 1];
            }
        }

        return null;
    }

    public bool Flag(string name) => args.Contains("--" + name);

    public int IntOption(string name, int fallback) =>
        int.TryParse(Option(name), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : fallback;
}
