// Azure AI Language (sentiment analysis with opinion mining). A custom subdomain is required for Entra ID
// tokens, and local (key) auth is off, so only identities holding Cognitive Services User can call it.
param name string
param location string
param tags object
@allowed(['F0', 'S'])
@description('F0: 5,000 text records a month free, one F0 Language resource per subscription. S: pay per 1,000 records.')
param sku string

resource language 'Microsoft.CognitiveServices/accounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'TextAnalytics'
  sku: { name: sku }
  properties: {
    customSubDomainName: name
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

output name string = language.name
output endpoint string = language.properties.endpoint
