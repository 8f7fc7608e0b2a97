using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MimeKit;
using ReviewWatch.DevHost.FunctionsHost;
using ReviewWatch.DevHost.Local;

namespace ReviewWatch.Tests.Infrastructure;

/// <summary>A real SMTP server on loopback (Nodemailer's smtp-server, tools/smtp-sink.mjs) that keeps every message.</summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly Process _process;

    private SmtpSink(Process process, int port, string folder)
    {
        _process = process;
        Port = port;
        Folder = folder;
    }

    public int Port { get; }
    public string Folder { get; }

    public static async Task<SmtpSink> StartAsync(string? credentials = null)
    {
        var root = RepositoryRoot.Find();
        var port = HandlerProcess.FreePort();
        var folder = Path.Combine(Path.GetTempPath(), "rw-smtp-" + Guid.NewGuid().ToString("N")[..8]);
        var psi = new ProcessStartInfo("node") { WorkingDirectory = root, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(root, "tools", "smtp-sink.mjs"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture), port.ToString(CultureInfo.InvariantCulture), folder })
        {
            psi.ArgumentList.Add(a);
        }

        if (credentials is not null)
        {
            psi.ArgumentList.Add("--auth");
            psi.ArgumentList.Add(credentials);
        }

        var process = Process.Start(psi)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(100);
            }
        }

        return new SmtpSink(process, port, folder);
    }

    public IReadOnlyList<MimeMessage> Messages() =>
        Directory.Exists(Folder)
            ? Directory.GetFiles(Folder, "*.eml").Order(StringComparer.Ordinal).Select(f => MimeMessage.Load(f)).ToList()
            : [];

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}

/// <summary>An HTTP endpoint standing in for Teams, Slack or a webhook receiver: records requests, answers a chosen status.</summary>
public sealed class RecordingReceiver : IAsyncDisposable
{
    private readonly Microsoft.AspNetCore.Builder.WebApplication _app;

    private RecordingReceiver(Microsoft.AspNetCore.Builder.WebApplication app) => _app = app;

    public List<(string Path, Dictionary<string, string> Headers, string Body)> Requests { get; } = [];

    /// <summary>The status to answer with (change it to simulate an outage).</summary>
    public int Status { get; set; } = 200;

    public string Url(string path) => _app.Urls.First() + path;

    public static async Task<RecordingReceiver> StartAsync()
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new RecordingReceiver(app);
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            lock (receiver.Requests)
            {
                receiver.Requests.Add((context.Request.Path, context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString()), body));
            }

            context.Response.StatusCode = receiver.Status;
            await context.Response.WriteAsync(receiver.Status == 200 ? "1" : "upstream trouble");
        });
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
