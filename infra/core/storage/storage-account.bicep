// The function app's storage account: host state (timer locks, leases), the deployment package container,
// and ReviewWatch's own tables and queues. Keys are switched off; every caller uses Entra ID and RBAC.
param name string
param location string
param tags object
@description('Blob containers to create (the Flex Consumption deployment package container).')
param containerNames string[]

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }

  resource blobs 'blobServices' = {
    name: 'default'
    resource containers 'containers' = [for containerName in containerNames: {
      name: containerName
      properties: { publicAccess: 'None' }
    }]
  }
}

output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
