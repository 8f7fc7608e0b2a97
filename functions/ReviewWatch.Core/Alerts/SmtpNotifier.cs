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

        var message = EmailMessages.Build(alert, o.FromAddress, target);
        using var client = new SmtpClient { Timeout = (int)o.ChannelTimeout.TotalMilliseconds };
        await client.ConnectAsync(o.Smtp.Host, o.Smtp.Port, o.Smtp.UseStartTls ? SecureSocketOptions.StartTlsWhenAvailable : SecureSocketOptions.None, cancellationToken);
        if (AlertRouter.Configured(o.Smtp.User))
        {
            await client.AuthenticateAsync(o.Smtp.User, o.Smtp.Password, cancellationToken);
        }

        var response = await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
        return $"{target} ({response})";
    }
}
