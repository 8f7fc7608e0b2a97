// Key Vault in RBAC mode for the secrets app settings refer to (@Microsoft.KeyVault(SecretUri=...)).
// A secret is written only when a value is given: re-provisioning with an empty parameter must not wipe a
// token stored later (e.g. by `./reviewwatch google connect` + `az keyvault secret set`).
param name string
param location string
param tags object
@secure()
@description('Secret name -> value. Entries with an empty value are not written.')
param secrets object = {}

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

resource secret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = [for item in items(secrets): if (!empty(item.value)) {
  parent: vault
  name: item.key
  properties: { value: item.value }
}]

output name string = vault.name
output uri string = vault.properties.vaultUri
