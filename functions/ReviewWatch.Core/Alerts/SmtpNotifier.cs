using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;

namespace ReviewWatch.Alerts;

/// <summary>Email over SMTP with MailKit: the alert's HTML and plain-text parts, to the route's address.</summary>
public sealed class SmtpNotifier(IOptions<AlertingOptions> options) : INotifier
{
    public string Channel => "email";

    public async Task<string> SendAsync(Alert alert, string target, CancellationToken cancellationToken = default)
    {
        var o = options.Value;
        if (!o.Smtp.IsConfigured)
        {
            throw new InvalidOperationException("SMTP is not configured (Alerting__Smtp__Host).");
        }

        var response = await SendAsync(EmailMessages.Build(alert, o.FromAddress, target), o, cancellationToken);
        return $"{target} ({response})";
    }

    /// <summary>Sends one message through the configured SMTP server (alerts and digests share this).</summary>
    public static async Task<string> SendAsync(MimeKit.MimeMessage message, AlertingOptions options, CancellationToken cancellationToken)
    {
        using var client = new SmtpClient { Timeout = (int)options.ChannelTimeout.TotalMilliseconds };
        await client.ConnectAsync(options.Smtp.Host, options.Smtp.Port, options.Smtp.UseStartTls ? SecureSocketOptions.StartTlsWhenAvailable : SecureSocketOptions.None, cancellationToken);
        if (AlertRouter.Configured(options.Smtp.User))
        {
            await client.AuthenticateAsync(options.Smtp.User, options.Smtp.Password, cancellationToken);
        }

        var response = await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
        return response;
    }
}
