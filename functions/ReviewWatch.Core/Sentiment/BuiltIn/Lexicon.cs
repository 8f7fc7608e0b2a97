using System.Globalization;

namespace ReviewWatch.Sentiment.BuiltIn;

/// <summary>What a word does in a sentence: carries polarity, or changes how the words around it count.</summary>
internal enum WordRole : byte
{
    None,
    Sentiment,
    Negator,
    Intensifier,
    /// <summary>Adverbs such as "hirveän", "terribly": an intensifier before a sentiment word, negative on their own.</summary>
    Booster,
    /// <summary>mutta/but/however: the clause after weighs more, the one before less.</summary>
    Contrast,
    /// <summary>vaikka/although: the clause it opens is conceded, so it weighs less.</summary>
    Concessive,
    /// <summary>jos/if: a hypothetical clause weighs little.</summary>
    Conditional,
    /// <summary>kuin/vaan/than/and: ends a negation's scope ("ei voi kuin kehua").</summary>
    ScopeBreak,
    /// <summary>Copulas and fillers the negation scope skips over ("ei ole ollut yhtään hyvä").</summary>
    Filler,
    /// <summary>koskaan/ikinä/ever: "never had such good service" must not flip "good".</summary>
    Ever,
    /// <summary>näin/niin/such/so: after "never … ever" cancels the negation; otherwise a mild intensifier.</summary>
    Degree,
    /// <summary>uudestaan/enää/again: return intent; negated it is a strong "never again".</summary>
    Again,
    /// <summary>
    /// What a customer waits for: arrive, receive, answer, refund, saapua, vastata. Said plainly it is neutral (or, for
    /// refund/cancel, mildly negative); negated it is a complaint ("never arrived", "no response", "not refunded",
    /// "ei vastausta"), so a negation that meets one and nothing else counts more than a bare unmet negation.
    /// </summary>
    Expected,
    /// <summary>still/vieläkään/edelleenkään/yhä: with a negation it is a complaint about waiting ("still haven't received").</summary>
    Still,
}

internal readonly record struct LexEntry(WordRole Role, double Value);

/// <summary>
/// The built-in Finnish + English (+ a little Swedish) lexicon. Entries ending in '*' are stems matched against
/// word starts, which is how one entry covers Finnish inflection and compounds (huono, huonoa, huonosti,
/// huonompi; loisto → loistohotelli). The longest matching stem wins, so neutral stems (weight 0) can shadow
/// a shorter polar one ("toimitus" is delivery, not "toimi" = works). General vocabulary only.
/// </summary>
internal static class Lexicon
{
    private const string Positive = """
        1.5: erinomai* loistav* loisto* mahtav* upea* upei* upeas* täydelli* fantasti* huippu* huipp* taivaalli* ihastutta* ihanaa ihana* ihani* ihanim* super* timanttin* priima* unelma* paras parhaa* parhai* parhaim* täyde* moitteet* ongelmitta ongelmatto* virheetö* virheettö* suosittel* suositel* suositus* suosittelemi*
        1.1: hyvä* hyviä hyvää hyvät paremp* parem* herkulli* maukas* maukkaa* maittav* maistuv* kiva* kivo* kivoj* mukav* ystävälli* lämpimäst* tyytyväi* kiitos* kiitoks* kiitti* kiittä* kiitollis* kehu* ammattitaitoi* asiantunte* osaava* osaav* avulia* palvelualtti* sujuv* sujui* vaivato* vaivatto* nopea* nopeast* nopeaa nopeat nopsa* pikai* reipa* tehokka* luotetta* rehelli* reilu* täsmälli* huolelli* kärsivälli* huomaavai* kohteliai* viihty* rento* rentoutta* siisti* puhdas* puhta* tuore* kaunis* kaunii* hieno* hienost* tykkä* tykkää* nautin* nautti* nautimme* onnistu* ilahdu* ilahdutt* iloinen* ilois* kannatta* suosikki* lempi* loisti* hymy* edulli* kohtuulli* kohtuuhin* ajallaan ajoissa arvoinen arvoista arvoisen jees jeps kelpo* mainio* oiva* näppärä* helppo* helposti helpo* selkeä* selkeäs* selkeit* toimiva* toimii toimi toimivat kätevä* laadukka* laadukas* hyvin hyvinkin vahva* runsa* reilust* löytö toimivaa hyväntuuli* lämmin* lämpimä* lämpimi* sydämelli* osaami* tsemppi*
        0.3: ok okei oukki ookoo
        0.5: kelpaa kelpas* kohtalai* siedettä* kelvolli* halpa* halva* halvalla hintansa
        1.5: excellent* outstanding* amazing* awesome* fantastic* wonderful* perfect* superb* brilliant* exceptional* flawless* impeccable* delightful* stunning* marvel* terrific* magnificent* best love loved loves loving lovely recommend* recommended highly
        1.1: good great greatest nice nicely friendly* helpful* pleasant* pleased* pleasure* happy happily glad satisfied satisfying satisfaction smooth* easy easily effortless* quick* fast fastest swift* prompt* efficient* reliable reliably trustworthy* professional professionally competent* knowledgeable* courteous* polite* kindly warm* welcom* clean* tidy fresh delicious* tasty yummy beautiful* cozy cosy comfortable* convenient* affordable* reasonabl* fair fairly worth thank thanks thankful* grateful* appreciat* enjoy* impress* super wow cool neat solid superior* attentive* cheerful* exceeded works worked working functional* accurate* seamless* simple* clear* clearly liked likes favourite* favorite* excited* success* satisfy* problemless trouble-free hassle-free rewarding* gem punctual* generous* charming* smile* smiling* bargain* cheaply helpfulness patient* responsive* thorough* awesome
        1.1: faster quicker
        0.8: better
        1.1: straightforward* versatile* sturdy durable* commendabl* delighted* recommendabl* agile flexib* fluent* uncomplicated first-class top-notch spot-on worry-free carefree user-friendly high-quality superfast well-functioning
        0.8: well-* intact timely punctual
        0.8: correct correctly appropriate* suitable* plus rapid* rapidly exactly easier easiest handy practical* painless* safe safely satisf* informative* met expectations agreed
        0.4: quality value cheap kind top ok okay decent*
        0.7: fine well adequate* acceptable* alright reasonable
        1.2: bra utmärkt* fantastisk* trevlig* rekommender* toppen underbar* perfekt* snabb* härlig* god gott goda
        """;

    private const string Negative = """
        -1.6: kamal* kauhe* kauhist* karme* karse* hirve* järkyt* järkky* surke* surkee* paska* paskaa paskin* paskemp* perse* kammotta* inhotta* ällöttäv* ällöt* yäk* hyi* oksettav* kuvottav* katastrofa* katastrofi* kelvoto* kelvottom* ala-arvoi* huijau* huijari* huijaa* huijas* huijat* kusetus* kusett* petos* petolli* skandaali* pahin pahimm* huonoin* huonoim* varas* varast* törke* röyhke* tyly* tylysti tylyä töyke* epäkohteli* ylimieli* ylimieliste* vihai* raivo* raivostu* pettymy* pettyn* petyin petyimme petti pettänyt epäammattimai* ammattitaidot* ammattitaidottom* vastuuto* vastuutto* välinpitämät* tyytymät* kelju* inho* inhottav*
        -1.1: huono* huonos* heikko* heikos* heikon heikoi* heikkoa* kehno* ikävä* ikävää ikävästi harmi* harmilli* valitettav* valitet* valitus* valitin valitim* reklamaat* reklamoi* vihaa* suuttu* suutu* ärsyttäv* ärsytt* kiusalli* nolo* noloa* epäselv* epäsiisti* epäsiisti epämukav* epäonnistu* epäluotettav* epäreilu* epäkäytännölli* likai* lika sotku* sottai* haise* haisi* haju* hometta homei* homeen tahra* tahroj* tahme* pölyi* mautto* mauto* mitäänsanomat* mautonta sitke* palanu* palane* haale* vetine* lässähtän* nihke* rasvai* suolai* hidas* hitaa* hitaus* hitaast* myöhä* myöhäs* myöhäst* viivästy* viivytte* viive* rikki rikkinäi* rikkoutu* hajo* hajos* hajonn* vaurioitu* vaurio* vioittu* viallis* virhee* virheelli* virheitä väärä* väärin väärää puuttu* puutteelli* kadon* katosi* hukas* hukkaan hukkui* unoht* unohdet* tuhlaus* turha* turhau* turhaut* pilal* pilas* pilattu* pilann* ongelm* hankal* sekais* sekav* sekasot* kaaos* melu* meluisa* meteli* ahdas ahtaa* tylsä* tylsää kallis* kallii* kalliim* ylihin* ylihint* hintav* kiskur* riisto* rahastu* rahastus* varo* varokaa varoitan kiiruhd* hermostu* painosta* tyrkyt* huus* huuta* huudet* tiuska* mokas* moka* möhlä* sählä* sotkea* käännytet* ignoroi* jätettiin pallotte* piittaamat* huolimat* ylimääräi* kohtuuto* kohtuutto* muualle muualta hukka* kyllästy* pettää petä* menetin menetti* sairas* epäilyttäv* epäilttäv* kyseenalai* vahin* harhaanjohta* harhaut* tuhoutu* rähjäi* nuhjui* kulunu* kulune* naarmu* naarmui* tahmai* pienentyn* pienenty* nousseet nousivat pelkä* peloissa* epäkunno* kunnoton
        -0.6: odott* odot* odotu* jono* jonotu* jonotin jonotti* kiire* kuiva* kuivaa vaikea* vaikeaa vaikeasti waiting waited wait limited kylmä* kylmää kylmiä kylmänä
        -1.3: miser* nasty* suffer* unsuitable* inappropriate* incorrect*
        -0.7: minus dent dented scratch* bored sorry loud
        -0.5: long longer lengthy weeks months different differs should shouldn't instead supposed expired* reminder* tangled hurts why pitkä* pitkää pitkään pitkiä viikko* viikon viikkoa kuukau* eri erilai* pitäisi piti kuului
        -0.5: kiireinen hintava vaihtelev* keskinkertai* keskiverto* tavanomai* mitäänsanomaton
        -1.6: terrible* horrible* horrendous* awful* appalling* atrocious* dreadful* disgust* gross* worst worse nightmare* disaster* disastrous* scam* scammer* fraud* fraudulent* cheat* cheated* rip-off ripoff ripped thief* thieves stole* stolen rude* unprofessional* incompetent* useless* pathetic* ridiculous* outrage* outrageous* unacceptable* shameful* shame* disgrace* hate* hated* furious* angry* fuming* insult* insulting* arrogant* hostile* abysmal* unbearable* inexcusable* avoid* beware* rubbish garbage crap crappy shit shitty sucks sucked lousy* dishonest* misleading* deceiv* liar* lied lying lies
        -1.1: bad badly poor poorly disappoint* dissatisf* unsatisf* unhappy* unfortunate* unfortunately sadly sad regret* annoy* frustrat* irritat* upset* complain* complaint* problem problems problematic issue issues trouble* hassle* difficult* confus* unclear* unhelpful* unfriendly* impolite* careless* negligen* slow slowly slower slowest sluggish* late delay delayed delays delaying broken broke damage* damaged defect* defective* faulty* fault* error* errors mistake* wrong wrongly missing lost lose losing failed fail fails failure* refus* cancel* cancelled canceled ignore* ignored dirty* filthy* stain* smell* smelly stink* mould* mold* moldy cold stale bland* tasteless* burnt* overcook* undercook* raw greasy* soggy* expensive* overpric* pricey costly noisy* crowded cramped uncomfortable* mess messy chaos* chaotic* lacking* lacks lack worthless waste wasted wasting charged overcharg* hidden pushy* unreliable* unresponsive* unavailable* bother* worried* worry* stress* stressful* lousy awkward* excuse* excuses refund* reclaim* reclamation* chargeback* unanswered* rejected* poorer inferior* subpar mediocre* meh questionable* suspicious* doubt* doubtful* weird strange* shoddy* flimsy* cheaply-made bankrupt* unusable* nonexistent* non-existent inconvenien* tired* boring* dull* 
        -1.1: disappear* incomplete* forgot* forgotten blame* shortcoming* downside* drawback* unreasonabl* inaccura* cumbersome* tedious* pointless* torn leak* leaking crash* crashed impossibl* unfinished*
        -1.5: ruin* ruined
        -0.8: critici* unnecessar* needless* uncertain* vague* complicated clumsy* tore stuck obscure* skewed unable misunderstand*
        -1.1: elsewhere
        -0.6: forever nowhere
        -0.4: improvement* extra fee fees
        -1.1: hävis* hävinny* hävinn* keskenerä* puutt*
        -0.8: epäselvy* epätietoi* epävarm*
        -1.2: dålig* sämst* otrevlig* tyvärr besvik* långsam* smutsig* dyr dyrt
        """;

    // Finnish negation verb in every person, English negators; the scope runs a few words forward.
    private const string Negators = "ei en et emme ette eivät eikä enkä etkä emmekä ettekä eivätkä älä älkää älkä ilman not no never nor neither without hardly cannot nothing nobody no-one noone none can't cant don't dont doesn't doesnt didn't didnt isn't isnt wasn't wasnt aren't arent weren't werent won't wont wouldn't wouldnt couldn't couldnt shouldn't shouldnt haven't havent hasn't hasnt hadn't hadnt ain't inte aldrig ingen inget";

    private const string Intensifiers = """
        1.5: todella* todellakin erittäin äärimmäi* uskomattoma* super aivan täysin tosi tosissaan ehdottomasti erityisen ylivoimai* kertakaikkia* varsin kerrassaan kovin hyvin sairaan älyttömän älyttömäst hirveän kauhean järjettömän järkyttävän tajuttoman törkeän pirun helvetin vitun hemmetin kamalan
        1.5: very really extremely absolutely totally completely incredibly highly truly utterly so super especially particularly exceptionally remarkably thoroughly insanely terribly awfully seriously ridiculously damn mega väldigt mycket jätte
        0.6: vähän hieman hiukan hiukka vähäsen lievästi jokseenkin suhteellisen melko melkoi* aika kohtalaisen osittain
        0.6: slightly somewhat bit little fairly rather kinda mildly partly moderately pretty quite
        """;

    private const string Roles = """
        contrast: mutta mut kuitenkin silti toisaalta muuten but however nevertheless nonetheless otherwise men
        concessive: vaikka vaikkakin huolimatta although though despite whereas
        conditional: jos jollei mikäli if unless would could wish hopefully olisi olisin olisimme voisi voisitte toivoisin toivottavasti kannattaisi
        scopebreak: kuin vaan vain ja sekä tai eli than and or only except
        filler: ole ollut olleet ollu olla oli ovat olivat olen olin olemme olimme olette olitte on mitään mikään yhtään lainkaan ollenkaan juuri kyllä voi voinut voitu saa saanut saatu tullut tule tulla tullu niin be been being was were is are am do does did have has had at all any anything a an the that it this even
        still: still vieläkään edelleenkään yhä
        ever: koskaan ikinä ikänä ever before
        degree: näin noin niin yhtä such so
        """;

    // What a customer waits for. Weight 0 unless said plainly it already hints at trouble (refund, cancel).
    private const string Expected = """
        0: arriv* came come comes coming receiv* got get gets gotten deliver* answer* repl* respond* responded response* hear heard ship shipped sent send fix* repair* resolv* solv* show showed shown appear* materializ* reach* contact* fit fits fitted match* replac* compensat* notif* inform* confirm*
        -0.6: refund* reimburs* money-back
        -0.8: cancel* cancelled canceled cancellation*
        0: saapu* vastan* vastat* vastaus* vastauks* vastaa lähetet* lähettäny* lähettäneet toimitet* toimittanu* toimittane* korjat* korjan* korjaantu* kuulunut ilmoit* yhteydenot* hyvit* palautettu palautettiin palauttanut palauttaneet maksettu
        -0.6: perutt* peruutet* perui peruivat peruttiin peruuntu*
        """;

    private static readonly Dictionary<string, LexEntry> ExactWords = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, LexEntry> Stems = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, LexEntry>.AlternateLookup<ReadOnlySpan<char>> ExactLookup;
    private static readonly Dictionary<string, LexEntry>.AlternateLookup<ReadOnlySpan<char>> StemLookup;
    private static readonly int LongestStem;

    /// <summary>The shortest stem we try; shorter prefixes match too much.</summary>
    internal const int MinStem = 3;

    static Lexicon()
    {
        // Order matters only for duplicates: roles first, then polarity, so "hyvin" stays an intensifier.
        foreach (var w in Negators.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            Add(w, new LexEntry(WordRole.Negator, 0));
        }

        foreach (var line in Roles.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var role = line[..colon] switch
            {
                "contrast" => WordRole.Contrast,
                "concessive" => WordRole.Concessive,
                "conditional" => WordRole.Conditional,
                "scopebreak" => WordRole.ScopeBreak,
                "filler" => WordRole.Filler,
                "ever" => WordRole.Ever,
                "still" => WordRole.Still,
                _ => WordRole.Degree,
            };
            foreach (var w in line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                Add(w, new LexEntry(role, 0));
            }
        }

        Load(Expected, WordRole.Expected);
        Load(Intensifiers, WordRole.Intensifier);
        Load(Positive, WordRole.Sentiment);
        Load(Negative, WordRole.Sentiment);

        // Negative adverbs ending in -n/-ly boost the next sentiment word ("hirveän hyvä", "terribly slow").
        foreach (var w in "hirveän kauhean älyttömän järjettömän järkyttävän sairaan tajuttoman törkeän pirun helvetin vitun hemmetin kamalan terribly awfully insanely ridiculously damn".Split(' '))
        {
            ExactWords[w] = new LexEntry(WordRole.Booster, -1.0);
        }

        // Neutral stems that shadow shorter polar stems (longest match wins).
        foreach (var w in "toimit* toimitu* toiminta* toiminn* toimin* toimip* toimist* hyväksy* hyvit* hyvinvoi* hyvänä raaka-ai* raaka-aine* kylmäla* kylmäkaa* kylmiö* lämpimäs* odotusaika* jonotusai* kuivaus* kuivaa-aine* suosi palveluk* kallistu* vähänkään lähes* arvoisa* hinta-laatu* superm* topp* warmly-* welcome-* cleaning* cleaner* coldplay likewise likely goods lovelace costa* waiter* waitress* cooling issued issuer clearance* returned* returns wait-* fine-* finer kindle* kinda topic* tops lost-and-found moldova* parking".Split(' '))
        {
            Add(w, new LexEntry(WordRole.None, 0));
        }

        // Exceptions a general stem would get wrong.
        ExactWords["suosittele"] = new LexEntry(WordRole.Sentiment, 1.5);
        ExactWords["returned"] = new LexEntry(WordRole.Sentiment, -0.4);
        ExactWords["hyvin"] = new LexEntry(WordRole.Booster, 0.8);
        ExactWords["hyvinkin"] = new LexEntry(WordRole.Booster, 0.8);
        ExactWords["niin"] = new LexEntry(WordRole.Degree, 0);
        ExactWords["vähän"] = new LexEntry(WordRole.Intensifier, 0.6);
        ExactWords["liian"] = new LexEntry(WordRole.Booster, -0.7);
        ExactWords["too"] = new LexEntry(WordRole.Booster, 0);
        ExactWords["super"] = new LexEntry(WordRole.Booster, 1.0);
        ExactWords["highly"] = new LexEntry(WordRole.Booster, 1.0);
        ExactWords["ikävä"] = new LexEntry(WordRole.Sentiment, -1.1);
        ExactWords["ihan"] = new LexEntry(WordRole.Intensifier, 0);

        // Return intent: positive said plainly ("tulen uudestaan"), strongly negative when negated ("ei ikinä enää", "never again").
        foreach (var (w, v) in new[] { ("uudestaan", 0.7), ("uudelleen", 0.7), ("takaisin", 0.5), ("palaan", 0.7), ("palaamme", 0.7), ("enää", 0.0), ("again", 0.0), ("anymore", 0.0), ("återkommer", 0.7) })
        {
            ExactWords[w] = new LexEntry(WordRole.Again, v);
        }

        LongestStem = Stems.Keys.Max(k => k.Length);
        ExactLookup = ExactWords.GetAlternateLookup<ReadOnlySpan<char>>();
        StemLookup = Stems.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    private static void Load(string block, WordRole role)
    {
        foreach (var line in block.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var value = double.Parse(line[..colon], NumberStyles.Float, CultureInfo.InvariantCulture);
            foreach (var w in line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                Add(w, new LexEntry(role, value));
            }
        }
    }

    private static void Add(string word, LexEntry entry)
    {
        if (word.EndsWith('*'))
        {
            Stems.TryAdd(word[..^1], entry);
        }
        else
        {
            ExactWords.TryAdd(word, entry);
        }
    }

    /// <summary>Finds the entry for a lower-cased word: exact form first, then the longest stem.</summary>
    public static bool TryMatch(ReadOnlySpan<char> word, out LexEntry entry, out int stemLength)
    {
        if (ExactLookup.TryGetValue(word, out entry))
        {
            stemLength = word.Length;
            return true;
        }

        for (var len = Math.Min(word.Length, LongestStem); len >= MinStem; len--)
        {
            if (StemLookup.TryGetValue(word[..len], out entry))
            {
                stemLength = len;
                return true;
            }
        }

        stemLength = 0;
        return false;
    }
}
