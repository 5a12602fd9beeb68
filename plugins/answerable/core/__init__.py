"""The domain core: records, the calendar, deadlines, status at a moment, the snapshot and its
figures. Pure Python: no Pelican, click, git or cache.
"""
