using ReviewWatch.DevHost.Local;

namespace ReviewWatch.Tests.Infrastructure;

/// <summary>One real Azurite (in memory, free ports) shared by a test collection; each test uses its own table prefix.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteServer? _server;

    public string ConnectionString => _server?.ConnectionString ?? throw new InvalidOperationException("Azurite not started");

    public AzuriteServer Server => _server ?? throw new InvalidOperationException("Azurite not started");

    public async Task InitializeAsync() => _server = await AzuriteServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azurite";
}
