using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReviewWatch.Sentiment;

/// <summary>A document to send: id unique within the request, ISO 639-1 language, text within the service's limits.</summary>
public sealed record TextDocumentInput(string Id, string Text, string? Language = null);

/// <summary>One document's sentiment, or its per-document error (<see cref="Error"/> non-null).</summary>
public sealed record DocumentSentimentResult(string Id, AnalyzedDocument? Document, LanguageError? Error);

/// <summary>One document's detected language (ISO 639-1, or null when undecidable), or its error.</summary>
public sealed record DetectedLanguageResult(string Id, string? Language, double Confidence, LanguageError? Error);

// Wire shapes of POST {endpoint}/language/:analyze-text (see docs/sentiment.md for the reference).

internal sealed record AnalyzeTextRequest(string Kind, AnalyzeParameters Parameters, AnalysisInput AnalysisInput);

internal sealed record AnalyzeParameters(string ModelVersion, bool? OpinionMining = null, string? StringIndexType = null);

internal sealed record AnalysisInput(IReadOnlyList<InputDocument> Documents);

internal sealed record InputDocument(string Id, string Text, string? Language = null, string? CountryHint = null);

internal sealed record SentimentResponse(string? Kind, SentimentResults? Results);

internal sealed record SentimentResults(IReadOnlyList<AnalyzedDocument>? Documents, IReadOnlyList<DocumentError>? Errors, string? ModelVersion);

public sealed record AnalyzedDocument(string Id, string? Sentiment, ConfidenceScores? ConfidenceScores, IReadOnlyList<AnalyzedSentence>? Sentences);

public sealed record ConfidenceScores(double Positive, double Neutral, double Negative);

public sealed record AnalyzedSentence(string? Text, string? Sentiment, ConfidenceScores? ConfidenceScores, IReadOnlyList<OpinionTarget>? Targets, IReadOnlyList<OpinionAssessment>? Assessments);

public sealed record OpinionTarget(string? Text, string? Sentiment, int Offset, int Length);

public sealed record OpinionAssessment(string? Text, string? Sentiment, bool IsNegated);

internal sealed record LanguageDetectionResponse(string? Kind, LanguageDetectionResults? Results);

internal sealed record LanguageDetectionResults(IReadOnlyList<LanguageDetectionDocument>? Documents, IReadOnlyList<DocumentError>? Errors);

internal sealed record LanguageDetectionDocument(string Id, DetectedLanguage? DetectedLanguage);

internal sealed record DetectedLanguage(string? Name, string? Iso6391Name, double ConfidenceScore);

internal sealed record DocumentError(string Id, LanguageError? Error);

public sealed record LanguageError(string? Code, string? Message, LanguageInnerError? Innererror);

public sealed record LanguageInnerError(string? Code, string? Message);

internal sealed record ErrorResponse(LanguageError? Error);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AnalyzeTextRequest))]
[JsonSerializable(typeof(SentimentResponse))]
[JsonSerializable(typeof(LanguageDetectionResponse))]
[JsonSerializable(typeof(ErrorResponse))]
internal sealed partial class AzureLanguageJsonContext : JsonSerializerContext;
