namespace ReviewWatch.Sentiment.BuiltIn;

/// <summary>
/// Customer-journey touchpoints and critical topics, as Finnish + English stems ('*' = word start, as in
/// <see cref="Lexicon"/>). Compounds are caught from either end: "asiakaspalvelu" by its start, "huippupalvelu"
/// by what follows a sentiment stem.
/// </summary>
internal static class Taxonomy
{
    public static readonly string[] Touchpoints =
    [
        "findability", "website", "contact", "responsiveness", "staff", "service_quality", "product_quality",
        "price", "delivery", "billing", "cleanliness", "wait_time", "after_sales",
    ];

    private static readonly string[] TouchpointStems =
    [
        /* findability */ "sijain* sijaits* osoit* kartal* kartta* kartass* kyltt* kylti* opast* pysäköin* parkkipaik* parkki* löytää löydä* löytyä löytäminen reitti* location* located map maps signage sign signs parking directions address find findable hard-to-find",
        /* website */ "verkkosivu* nettisivu* kotisivu* sivusto* sivuil* sivuja sivut sivuja verkkokaup* nettikaup* sovellu* ajanvarau* varausjärjestelm* kassasivu* website* site web webshop* online app apps checkout* ordering e-shop",
        /* contact */ "puheli* soit* soitt* sähköpost* viest* tavoit* tavoitt* yhteyde* yhteyt* chat* tekstiviest* phone* call calls called calling email* e-mail* contact* reach* reachable message* chat* hotline",
        /* responsiveness */ "vastaa* vastas* vastann* vastauk* vastaus* vastaamat* reagoi* reaktio* palaut* response* respond* responded reply* replied answer* answered ignore* ignored unanswered get-back",
        /* staff */ "henkilökun* henkilöku* myyjä* tarjoilij* työnteki* työntekijä* asiakaspalvelij* kampaaj* parturi* mekaanik* asentaj* kuski* kuljettaj* omistaj* putkimie* siivooj* lääkäri* hammaslääkär* terapeut* fysioterapeut* kokki* vastaanottovirkail* henkilö* personal* väki* staff* waiter* waitress* employee* cashier* owner* driver* seller* salesperson* salesman* hairdresser* barber* mechanic* technician* personnel* plumber* electrician* receptionist* chef* manager* clerk* guy girl lady",
        /* service_quality */ "palvelu* palvel* asiakaspalvelu* asiakaskokem* kokemu* kohtelu* kohdel* service* customer-service experience* treatment* serve* served",
        /* product_quality */ "ruoka* ruoa* ruua* ruokaa kahvi kahvia kahvin* kahvit kahveja kahvista kahvissa kahviin kahvilla kahvik* kahvim* leipä* leivä* pulla* pullat laatu* laadu* laadukk* tuote* tuotte* tuotteet annos* annokse* pizza* burgeri* hampurilai* kakku* kaku* leivonnai* korvapuust* lounas* lounaa* juoma* maku* makui* ateri* jälkiruo* aamiai* aamupal* brunssi* sushi* pihvi* lopputulo* jälki työnjälki* korjau* asennu* huone* huonee* sänky* sängy* laite* laitte* vaate* vaatte* kenk* food* meal* dish* dishes coffee* bread* pastr* cake* pizza* burger* breakfast* lunch* dinner* drink* taste* flavo* product* item* items goods quality* result* repair* room* rooms bed* haircut* cut",
        /* price */ "hinta* hinna* hinno* hintaa hintata* hintoj* kallis* kallii* kalliim* halpa* halva* edulli* ylihin* kohtuuhin* kohtuulli* euro* hintava* kiskur* price* pricing* priced expensive* cheap* overpric* afford* cost* costs value money pricey",
        /* delivery */ "toimitu* toimite* toimitt* kuljetu* kuljetuks* paketti* paketi* postitu* lähety* lähetyk* posti* kuriiri* noutopist* delivery* deliver* delivered shipping* shipped shipment* courier* package* parcel* arrived arrive* arrival* dispatch* posti transport*",
        /* billing */ "lasku* laskut* laskutu* veloit* veloitu* maksu* maksoi* maksett* maksaa kuitti* kuitin hyvity* lahjakort* bill billing* billed invoice* charge* charged payment* paid pay receipt* credit* refund* lasku",
        /* cleanliness */ "siisti* siivo* siivou* epäsiisti* likai* lika puhda* puhta* sotku* haise* haju* hygieni* pöly* tahra* tahroj* hometta homei* vessa* wc clean* dirty* filthy* tidy* hygien* smell* messy* stain* dust* toilet* bathroom*",
        /* wait_time */ "jono* jonot* jonotu* odot* odott* odotu* myöhä* myöhäs* myöhäst* viivä* viive* viivy* hidas* hitaa* hitaus* nopea* nopeast* odotusai* wait* waiting waited queue* delay* delayed late slow* slowly quick* fast promptly minutes hours",
        /* after_sales */ "takuu* takuun palautu* palautt* palautuk* reklamaat* reklamoi* vaihto* vaihdo* vaihtaa hyvitys* huoltoon jälkihuol* warranty* guarantee* return returns returned returning complaint* exchange* replacement* reclamation* after-sales",
    ];

    /// <summary>Critical topics: any of these in a negative item makes it critical.</summary>
    public static readonly string[] CriticalTopics = ["hygiene", "health", "safety", "discrimination", "legal"];

    private static readonly string[] CriticalStems =
    [
        /* hygiene */ "hius hiuksen hiuskarva* karva* torake* russak* hiiri hiiren hiiriä rotta* rotan rottia hometta homeinen homeis* homeen hygieni* epähygieeni* ruokamyrky* tuholai* terveystarkast* cockroach* rodent* rat rats mice mouse mould mouldy mold moldy hygien* unhygienic* unsanitary* insect* maggot*",
        /* health */ "sairastu* sairast* oksen* oksent* ripul* vatsatau* allergisen allerginen* anafylak* myrkyty* ruokamyrky* sairaala* ensiap* vomit* diarrh* poisoning* poisoned allergic* anaphyla* hospital* nausea*",
        /* safety */ "vaaralli* vaarallis* hengenvaa* loukkaant* loukkaan* palovamm* tulipalo* palohälyt* sähköisku* vuoto* kaasuvuo* hengenvaara dangerous* unsafe* hazard* injur* burned burnt-hand electric-shock fire gas-leak",
        /* discrimination */ "rasis* rasist* syrji* syrjin* homofob* seksis* seksist* ennakkoluul* racis* discriminat* homophob* sexis* sexist* bigot* xenophob*",
        /* legal */ "kuluttajariit* kuluttajaneuv* kuluttajavirast* haaste* oikeute* oikeuteen käräjä* asianajaj* lakimie* poliisi* rikosilmoit* rikosilmoitu* kantelu* lawyer* attorney* lawsuit* sue suing sued court* police* legal fraud-report small-claims trading-standards",
    ];

    private static readonly Dictionary<string, byte> TouchExact = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, byte> TouchStems = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, byte> CriticalExact = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, byte> CriticalStemsMap = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, byte>.AlternateLookup<ReadOnlySpan<char>> TouchExactLookup;
    private static readonly Dictionary<string, byte>.AlternateLookup<ReadOnlySpan<char>> TouchStemLookup;
    private static readonly Dictionary<string, byte>.AlternateLookup<ReadOnlySpan<char>> CriticalExactLookup;
    private static readonly Dictionary<string, byte>.AlternateLookup<ReadOnlySpan<char>> CriticalStemLookup;
    private static readonly int LongestTouch;
    private static readonly int LongestCritical;

    static Taxonomy()
    {
        Fill(TouchpointStems, TouchExact, TouchStems);
        Fill(CriticalStems, CriticalExact, CriticalStemsMap);

        // "vuoto" is a leak the plumber fixed, not a safety issue; "fire" alone is too often "fired up". Keep them
        // out of the single-word list; critical needs a negative text anyway (see Flagger).
        CriticalStemsMap.Remove("vuoto");
        CriticalExact.Remove("fire");
        LongestTouch = TouchStems.Keys.Max(k => k.Length);
        LongestCritical = CriticalStemsMap.Keys.Max(k => k.Length);
        TouchExactLookup = TouchExact.GetAlternateLookup<ReadOnlySpan<char>>();
        TouchStemLookup = TouchStems.GetAlternateLookup<ReadOnlySpan<char>>();
        CriticalExactLookup = CriticalExact.GetAlternateLookup<ReadOnlySpan<char>>();
        CriticalStemLookup = CriticalStemsMap.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    private static void Fill(string[] groups, Dictionary<string, byte> exact, Dictionary<string, byte> stems)
    {
        for (var i = 0; i < groups.Length; i++)
        {
            foreach (var w in groups[i].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (w.EndsWith('*'))
                {
                    stems.TryAdd(w[..^1], (byte)i);
                }
                else
                {
                    exact.TryAdd(w, (byte)i);
                }
            }
        }
    }

    /// <summary>The touchpoint a lower-cased word names, or -1.</summary>
    public static int Touchpoint(ReadOnlySpan<char> word) => Find(word, TouchExactLookup, TouchStemLookup, LongestTouch);

    /// <summary>The critical topic a lower-cased word names, or -1.</summary>
    public static int Critical(ReadOnlySpan<char> word) => Find(word, CriticalExactLookup, CriticalStemLookup, LongestCritical);

    /// <summary>Two-word critical phrases ("hair in", "food poisoning", "got sick").</summary>
    public static int CriticalPair(ReadOnlySpan<char> first, ReadOnlySpan<char> second)
    {
        if (first.SequenceEqual("hair") && (second.SequenceEqual("in") || second.SequenceEqual("on")))
        {
            return 0;
        }

        if (first.SequenceEqual("food") && second.StartsWith("poison"))
        {
            return 0;
        }

        if ((first.SequenceEqual("got") || first.SequenceEqual("fell") || first.SequenceEqual("became")) && (second.SequenceEqual("sick") || second.SequenceEqual("ill")))
        {
            return 1;
        }

        return first.SequenceEqual("legal") && second.StartsWith("action") ? 4 : -1;
    }

    private static int Find(
        ReadOnlySpan<char> word,
        Dictionary<string, byte>.AlternateLookup<ReadOnlySpan<char>> exact,
        Dictionary<string, byte>.AlternateLookup<ReadOnlySpan<char>> stems,
        int longest)
    {
        if (exact.TryGetValue(word, out var id))
        {
            return id;
        }

        for (var len = Math.Min(word.Length, longest); len >= Lexicon.MinStem; len--)
        {
            if (stems.TryGetValue(word[..len], out id))
            {
                return id;
            }
        }

        return -1;
    }
}
