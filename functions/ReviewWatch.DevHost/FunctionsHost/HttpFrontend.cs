using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Yarp.ReverseProxy.Forwarder;

namespace ReviewWatch.DevHost.FunctionsHost;

/// <summary>
/// Serves HTTP functions on the public port (7071, like <c>func start</c>), under the route prefix from host.json.
/// Functions that are exactly httpTrigger + http output are forwarded raw to the handler at the original path
/// (enableForwardingHttpRequest); the others are sent as a payload-mode invocation and their "res" output
/// mapped back. Paths that match no function get the host's empty 404.
/// </summary>
public static class HttpFrontend
{
    public static WebApplication Build(
        FunctionAppDefinition app,
        HandlerProcess handler,
        Invoker invoker,
        OutputWriter outputs,
        int port,
        ILoggerFactory loggerFactory)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddHttpForwarder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 100 * 1024 * 1024);
        var web = builder.Build();

        var client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(15),
        });
        var transformer = new HostTransformer();
        var logger = loggerFactory.CreateLogger("ReviewWatch.DevHost.Http");
        var prefix = app.RoutePrefix.Trim('/');

        foreach (var function in app.Functions.Where(f => f.Trigger.Type.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase)))
        {
            var trigger = function.Trigger;
            var route = (trigger.Get("route") ?? function.Name).Trim('/');
            var pattern = "/" + string.Join('/', new[] { prefix, route }.Where(s => s.Length > 0));
            var methods = trigger.GetList("methods").Select(m => m.ToUpperInvariant()).ToList();
            var forward = app.EnableForwardingHttpRequest && function.IsForwardable;
            RequestDelegate handle = forward
                ? async context =>
                {
                    await handler.WaitReadyAsync(context.RequestAborted);
                    var forwarder = context.RequestServices.GetRequiredService<IHttpForwarder>();
                    var error = await forwarder.SendAsync(context, handler.BaseAddress.ToString().TrimEnd('/'), client, ForwarderRequestConfig.Empty, transformer);
                    if (error != ForwarderError.None)
                    {
                        logger.LogWarning("Forwarding {Path} to the handler failed: {Error}", context.Request.Path, error);
                    }
                }
            : context => InvokePayloadModeAsync(context, function, invoker, outputs);
            var endpoint = web.Map(pattern, handle);
            if (methods.Count > 0)
            {
                endpoint.WithMetadata(new HttpMethodMetadata(methods));
            }

            logger.LogInformation("{Function}: [{Methods}] http://127.0.0.1:{Port}{Pattern}{Mode}", function.Name, methods.Count == 0 ? "ALL" : string.Join(',', methods), port, pattern, forward ? string.Empty : " (payload mode)");
        }

        // Like the Functions host's default page at the root: say the app is up and where to go.
        web.MapGet("/", () => Results.Content(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>ReviewWatch</title></head><body style=\"font-family:system-ui,sans-serif\">"
            + "<h1>ReviewWatch is running</h1><p><a href=\"/ui/\">Response queue</a> · <a href=\"/api/cases?status=open\">Open cases (JSON)</a> · <a href=\"/api/health\">Health</a></p></body></html>",
            "text/html; charset=utf-8"));

        return web;
    }

    private static async Task InvokePayloadModeAsync(HttpContext context, FunctionDefinition function, Invoker invoker, OutputWriter outputs)
    {
        var request = context.Request;
        var query = new JsonObject();
        foreach (var (key, value) in request.Query)
        {
            query[key] = value.ToString();
        }

        var headers = new JsonObject();
        var flatHeaders = new JsonObject();
        foreach (var (key, value) in request.Headers)
        {
            headers[key] = new JsonArray(value.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
            flatHeaders[key] = value.ToString();
        }

        var routeParams = new JsonObject();
        foreach (var (key, value) in request.RouteValues)
        {
            routeParams[key] = value?.ToString();
        }

        var req = new JsonObject
        {
            ["Url"] = $"{request.Scheme}://{request.Host}{request.Path}{request.QueryString}",
            ["Method"] = request.Method,
            ["Query"] = query,
            ["Headers"] = headers,
            ["Params"] = routeParams,
            ["Identities"] = new JsonArray(),
        };
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        if (body.Length > 0)
        {
            req["Body"] = body;
        }

        var metadata = new JsonObject { ["Query"] = query.DeepClone(), ["Headers"] = flatHeaders };
        foreach (var (key, value) in request.Query)
        {
            metadata[key] = Invoker.Encode(value.ToString());
        }

        var outcome = await invoker.InvokeAsync(function.Name, new JsonObject { [function.Trigger.Name] = req }, metadata, context.RequestAborted);
        if (!outcome.Succeeded)
        {
            context.Response.StatusCode = 500; // the host turns a failed invocation into an empty 500
            return;
        }

        await outputs.WriteAsync(function, outcome.Outputs, context.RequestAborted);
        var httpOut = function.Outputs.FirstOrDefault(b => b.Type.Equals("http", StringComparison.OrdinalIgnoreCase));
        JsonNode? res = null;
        if (httpOut is not null && outcome.Outputs is not null)
        {
            OutputWriter.TryGet(outcome.Outputs, httpOut.Name, out res);
        }

        if (res is not JsonObject response)
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("{}", context.RequestAborted);
            return;
        }

        context.Response.StatusCode = Get(response, "statusCode") is JsonNode status && int.TryParse(status.ToString(), out var code) ? code : 200;
        var contentTypeSet = false;
        if (Get(response, "headers") is JsonObject responseHeaders)
        {
            foreach (var (key, value) in responseHeaders)
            {
                context.Response.Headers[key] = value?.ToString();
                contentTypeSet |= key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase);
            }
        }

        if (!contentTypeSet)
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
        }

        var responseBody = Get(response, "body");
        var text = responseBody switch
        {
            null => string.Empty,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            _ => responseBody.ToJsonString(new JsonSerializerOptions { WriteIndented = true }),
        };
        await context.Response.WriteAsync(text, context.RequestAborted);
    }

    private static JsonNode? Get(JsonObject obj, string name) => OutputWriter.TryGet(obj, name, out var v) ? v : null;

    /// <summary>Keeps the public Host header and adds the host's invocation headers, as the Functions host does.</summary>
    private sealed class HostTransformer : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            proxyRequest.Headers.Host = httpContext.Request.Host.Value;
            proxyRequest.Headers.Remove("X-Forwarded-For");
            proxyRequest.Headers.Remove("X-Forwarded-Proto");
            proxyRequest.Headers.Remove("X-Forwarded-Host");
            proxyRequest.Headers.TryAddWithoutValidation("X-Azure-Functions-HostVersion", Invoker.HostVersion);
            proxyRequest.Headers.TryAddWithoutValidation("X-Azure-Functions-InvocationId", Guid.NewGuid().ToString());
            var agent = httpContext.Request.Headers.UserAgent.ToString();
            proxyRequest.Headers.Remove("User-Agent");
            proxyRequest.Headers.TryAddWithoutValidation("User-Agent", $"{agent} Azure-Functions-Host/{Invoker.HostVersion}".Trim());
        }
    }
}
