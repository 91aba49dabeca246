"""Verbs of saying, in the languages the newsroom publishes, as the attribution pass reads
them: "said", "a déclaré", "sagte", "dijo", "disse", "ha detto", "řekl". A verb after a
quote takes its speaker from the words before it ("…”, Azzouz said) or, inverted, after
it ("…», a ajouté Laurent Fabius; „…“, sagt SWR-Korrespondent Matthias Zahn; "…", disse o
presidente; „…“ řekl Stanjura).
"""

from __future__ import annotations

import re

from bot.editorial.text import word_set

VERBS = word_set(
    """said says say told tells added adds explained explains stated declared
declares asked asks answered replied noted wrote writes argued argues insisted
insists warned warns claimed admitted admits acknowledged acknowledges conceded
concedes hinted suggested continued recalled recalls remarked observed announced
announces confirms confirmed stressed stresses emphasised emphasized urged vowed predicted
cautioned complained recounted posted tweeted testified pleaded shouted maintained maintains
countered contended responded spoke
déclare dit affirme explique ajoute indique souligne estime assure précise lance confie
martèle reconnaît avertit prévient insiste raconte répond rappelle juge commente regrette
dénonce argumente observe poursuit conclut résume détaille admet concède
sagte sagt erklärte erklärt betonte betont meinte meint warnte warnt kritisierte schrieb
twitterte ergänzte ergänzt berichtete berichtet erzählte erzählt urteilte urteilt
bestätigte forderte fordert mahnte mahnt räumte
dijo afirmó aseguró explicó señaló declaró añadió agregó indicó destacó alertó advirtió
comentó manifestó insistió sostuvo opinó denunció remarcó subrayó apuntó reconoció relató
contó expresó precisó recalcó admitió respondió dice afirma asegura explica señala
declara añade agrega indica sostiene advierte insiste
disse afirmou declarou explicou falou acrescentou destacou indagou ressaltou diz
contou comentou completou reforçou garantiu questionou argumentou avaliou criticou
lembrou observou pontuou concluiu relatou salientou frisou admitiu respondeu ressalta
commenta spiega dice afferma aggiunge sottolinea racconta dichiara scrive osserva
ribadisce conclude precisa avverte
řekl řekla uvedl uvedla dodal dodala píše napsal napsala přidává přirovnává hodnotí
tvrdí zdůrazňuje zdůraznil zdůraznila prohlásil prohlásila sdělil sdělila vysvětlil
vysvětlila konstatoval konstatovala upozornil upozornila míní říká poznamenal
poznamenala doplnil doplnila potvrdil potvrdila uvádí dodává"""
)
FR_PAST = (
    r"a\s+(?:déclaré|dit|affirmé|expliqué|ajouté|indiqué|souligné|estimé|assuré|précisé|"
    r"lancé|confié|martelé|reconnu|averti|prévenu|insisté|raconté|répondu|rappelé|jugé|"
    r"commenté|regretté|dénoncé)"
)
IT_PAST = (
    r"ha\s+(?:detto|dichiarato|spiegato|aggiunto|affermato|sottolineato|twittato|scritto|"
    r"commentato|ribadito|precisato|raccontato|osservato|concluso|risposto)"
)
PT_ES_PAST = r"(?:ha|tem|han)\s+(?:dicho|declarado|afirmado|explicado|señalado|dito)"
PARTICIPLES = (
    r"saying|adding|telling|noting|warning|insisting|explaining|writing|arguing|claiming|"
    r"stressing|urging|affirmant|expliquant|déclarant|ajoutant|soulignant|advirtiendo|"
    r"afirmando|señalando|dizendo|afirmando"
)
ACCORDING = r"according\s+to|selon|laut|según|secondo|segundo|podle|de\s+acordo\s+com"
#: adverbs between an inverted verb and its speaker ("ha twittato poi la premier")
ADVERBS = word_set(
    """then later also again still poi anche ancora ensuite aussi encore dann auch noch
    luego también además después depois também ainda então pak také ještě"""
)

#: French inversion after a quote: « … », explique-t-il / a-t-elle ajouté / dit-il
FR_INVERSION = re.compile(r"^\s*,?\s*(?:a-t-|[\wéèêû]+-t-|[\wéèêû]+-)(il|elle)\b")
#: German ", so Merkel" after a quote
DE_SO = re.compile(r"^\s*,\s*so\s+")
#: Japanese: 「…」と述べた / と語った …; the speaker is the topic before the quote (…は)
JA_VERB = re.compile(
    r"^\s*と[^。「」]{0,15}?(?:述べ|語っ|語り|話し|話す|説明|強調|指摘|明らかに|発言|言っ|言い|答え|訴え|書い|記し)"
)
JA_TOPIC = re.compile(r"([^\s、。「」]{1,20}?)(?:は|が)、?[^。「」]*$")
