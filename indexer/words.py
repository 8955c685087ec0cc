"""Words that say nothing about what a text is about, shared by related entries and subjects."""

# Function words a reader does not count as "shared": the index keeps them (Whoosh's stop list
# is short, so phrases stay exact) but they say nothing about why two entries are related.
COMMON = frozenset(
    """
    about above after again against all also am among an another any anyone anything around
    because been before being below between both but can cannot could did do does doing done
    down during each either else enough even ever every few first for from further get gets
    getting got had has have having he her here hers herself him himself his how however i
    into its itself just last least less let like made make makes many me might more most
    much must my myself near need never no nobody none nor nothing now of off often once one
    only onto other others otherwise our ours ourselves out over own per perhaps quite
    rather really same several shall she should since so some someone something still such
    than that their theirs them themselves then there these they thing things those though
    through thus till too toward under until up upon very was way ways were what whatever
    where whether which while who whom whose why within without would yes yet you your yours
    yourself
    """.split()
)
