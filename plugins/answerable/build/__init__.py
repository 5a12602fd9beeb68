"""Building the site: settings, writing pages, the safe swap into the output folder."""
