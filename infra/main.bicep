// ReviewWatch on Azure: one resource group with a Flex Consumption function app (custom handler), its storage,
// Azure AI Language, Key Vault and Application Insights, all reached with one user-assigned managed identity.
// No keys anywhere: shared-key storage access, Language keys and App Insights ingestion keys are all disabled.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; names the resource group and seeds the unique resource names.')
param environmentName string

@minLength(1)
@description('Region for every resource; it must offer Flex Consumption (e.g. northeurope, swedencentral, westeurope).')
@metadata({ azd: { type: 'location' } })
param location string

@description('Object id of the deploying user (azd fills in AZURE_PRINCIPAL_ID); gets Key Vault Secrets Officer.')
param principalId string = ''

// Schedules (NCRONTAB, six fields, UTC: Flex Consumption has no WEBSITE_TIME_ZONE) and thresholds.
@description('ScheduleReviewPolls timer: how often every location is polled.')
param pollSchedule string = '0 */5 * * * *'
@description('WeeklyDigest timer: hourly; each business gets last week\'s digest once its local Monday 08:00 has passed.')
param digestSchedule string = '0 5 * * * *'
@description('EscalateOverdue timer: how often open cases past their reply due time are checked (each breach re-alerts once).')
param escalateSchedule string = '0 */5 * * * *'
@description('PollMentions timer: how often every business\'s social-media and feed mentions are polled.')
param mentionsSchedule string = '0 */10 * * * *'
param slaCriticalHours string = '1'
param slaHighHours string = '4'
param slaMediumHours string = '24'
param flaggingNegativeScore string = '-0.25'
param flaggingStrongNegativeScore string = '-0.6'
param flaggingNegativeRatingMax string = '2'
@description('Base of links in alerts; empty = https://<function app>.azurewebsites.net.')
param publicBaseUrl string = ''
param alertFromAddress string = 'reviewwatch@example.com'

@allowed(['F0', 'S'])
param languageSku string = 'S'
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Entra app registration (client id) for sign-in to the staff UI/API; see docs/deploy.md. Empty = no sign-in.')
param authClientId string = ''

// Google Business Profile and alert channels. Secrets go to Key Vault only when given (see docs/deploy.md).
param googleClientId string = ''
@secure()
param googleClientSecret string = ''
@secure()
param googleRefreshToken string = ''
@description('Service account Google signs Pub/Sub push requests as (OIDC token); checked by the push endpoint.')
param googlePubSubServiceAccount string = ''
@secure()
param teamsWebhookUrl string = ''
@secure()
param slackWebhookUrl string = ''
@secure()
param webhookSigningSecret string = ''
// Mentions: Reddit app-only OAuth (empty = Reddit off). Bluesky and Mastodon need no credentials.
param redditClientId string = ''
@secure()
param redditClientSecret string = ''

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var functionAppName = '${abbrs.webSitesFunctions}reviewwatch-${resourceToken}'
var appBaseUrl = 'https://${functionAppName}.azurewebsites.net'
var deploymentContainerName = 'app-package-${take(resourceToken, 7)}'
var keyVaultName = '${abbrs.keyVaultVaults}${resourceToken}'
// Versionless secret URIs: App Service picks up a new secret version within 24 hours or on restart.
var secretUri = 'https://${keyVaultName}${environment().suffixes.keyvaultDns}/secrets'

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity 'core/security/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}reviewwatch-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'core/storage/storage-account.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    containerNames: [deploymentContainerName]
  }
}

module monitoring 'core/monitor/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
  }
}

module language 'core/ai/language.bicep' = {
  name: 'language'
  scope: rg
  params: {
    name: '${abbrs.cognitiveServicesTextAnalytics}${resourceToken}'
    location: location
    tags: tags
    sku: languageSku
  }
}

module keyVault 'core/security/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: keyVaultName
    location: location
    tags: tags
    secrets: {
      'google-client-secret': googleClientSecret
      'google-refresh-token': googleRefreshToken
      'teams-webhook-url': teamsWebhookUrl
      'slack-webhook-url': slackWebhookUrl
      'webhook-signing-secret': webhookSigningSecret
      'reddit-client-secret': redditClientSecret
    }
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    languageAccountName: language.outputs.name
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    appPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
  }
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    planName: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    authClientId: authClientId
    // Everything the handler binds (local.settings.sample.json lists the same names for local runs).
    appSettings: {
      POLL_SCHEDULE: pollSchedule
      DIGEST_SCHEDULE: digestSchedule
      ESCALATE_SCHEDULE: escalateSchedule
      MENTIONS_SCHEDULE: mentionsSchedule
      Sla__CriticalHours: slaCriticalHours
      Sla__HighHours: slaHighHours
      Sla__MediumHours: slaMediumHours
      Flagging__NegativeScore: flaggingNegativeScore
      Flagging__StrongNegativeScore: flaggingStrongNegativeScore
      Flagging__NegativeRatingMax: flaggingNegativeRatingMax
      Sentiment__Analyzer: 'azure'
      Sentiment__Azure__Endpoint: language.outputs.endpoint
      Alerting__PublicBaseUrl: empty(publicBaseUrl) ? appBaseUrl : publicBaseUrl
      Alerting__FromAddress: alertFromAddress
      // The app root is read-only on Flex; the local outbox channel may only write under /tmp.
      Alerting__OutboxPath: '/tmp/reviewwatch-outbox'
      Alerting__Teams__WebhookUrl: '@Microsoft.KeyVault(SecretUri=${secretUri}/teams-webhook-url)'
      Alerting__Slack__WebhookUrl: '@Microsoft.KeyVault(SecretUri=${secretUri}/slack-webhook-url)'
      Alerting__Webhook__Secret: '@Microsoft.KeyVault(SecretUri=${secretUri}/webhook-signing-secret)'
      Google__ClientId: googleClientId
      Google__ClientSecret: '@Microsoft.KeyVault(SecretUri=${secretUri}/google-client-secret)'
      Google__RefreshToken: '@Microsoft.KeyVault(SecretUri=${secretUri}/google-refresh-token)'
      Google__PubSub__Audience: '${appBaseUrl}/api/google/notifications'
      Google__PubSub__ServiceAccount: googlePubSubServiceAccount
      Mentions__Reddit__ClientId: redditClientId
      Mentions__Reddit__ClientSecret: '@Microsoft.KeyVault(SecretUri=${secretUri}/reddit-client-secret)'
    }
  }
  // Role assignments first, so the host's first start can already reach storage and Key Vault.
  dependsOn: [rbac]
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_NAME string = api.outputs.name
output SERVICE_API_NAME string = api.outputs.name
output SERVICE_API_URI string = 'https://${api.outputs.defaultHostName}'
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_ENDPOINT string = keyVault.outputs.uri
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_LANGUAGE_ENDPOINT string = language.outputs.endpoint
output GOOGLE_PUBSUB_PUSH_ENDPOINT string = '${appBaseUrl}/api/google/notifications'
