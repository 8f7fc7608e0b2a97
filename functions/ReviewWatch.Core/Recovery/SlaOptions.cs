namespace ReviewWatch.Recovery;

/// <summary>How long each severity may wait for a reply. App settings: <c>Sla__CriticalHours=1</c>, ….</summary>
public sealed class SlaOptions
{
    public const string Section = "Sla";

    public double CriticalHours { get; set; } = 1;
    public double HighHours { get; set; } = 4;
    public double MediumHours { get; set; } = 24;

    public TimeSpan For(string severity) => TimeSpan.FromHours(severity switch
    {
        "critical" => CriticalHours,
        "high" => HighHours,
        _ => MediumHours,
    });
}
