"""Build the notebooks in ``notebooks/`` from the text below (their single source of truth).

    python scripts/build_notebooks.py           # write notebooks/*.ipynb
    python scripts/build_notebooks.py --check   # exit 1 if a notebook differs from its source

The output is what is committed: no outputs, no execution counts, stable cell ids, nbformat 4.5,
kernelspec ``python3``. Edit the text here, not the ``.ipynb`` files (``tests/test_notebooks.py``
checks that they agree). Code cells are one short call each into ``smmkpi_helpers``; the prose is
for a marketing manager.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = ROOT / "notebooks"

PARAMETERS = """\
data_dir: str = ""  # dataset folder; "" means the bundled sample
specialist: str = "anna"  # specialist id (with papermill pass ids as text: -r specialist 007)
period: str = "2026-10"  # 2026-10, 2026-Q3, 2026-W40, 2026 or 2026-09-01..2026-09-30
business_goal: str = ""  # "" means each account's own goal
interactive: bool = True  # False in batch runs: no widgets"""

TEAM_PARAMETERS = (
    PARAMETERS
    + """
audience: str = "manager"  # or "specialist": hide other specialists' names"""
)

IMPORTS = "from smmkpi_helpers import notebook, widgets"

SETUP = """\
ctx = notebook.setup(
    data_dir=data_dir, specialist=specialist, period=period, business_goal=business_goal
)"""

TEAM_SETUP = """\
ctx = notebook.setup(
    data_dir=data_dir,
    specialist=specialist,
    period=period,
    business_goal=business_goal,
    audience=audience,
)"""

HOW_TO_RUN = """\
**How to use it.** Change the values in the parameters cell below and run all cells, or use the
picker at the end of the notebook to switch specialist and period without re-running anything.
From a terminal: `papermill notebooks/{name}.ipynb out.ipynb -r specialist anna -r period 2026-10`
(`-r` passes the value as text; `-p` would turn an id such as `007` into the number 7)."""

CHECK = """\
## Check the parameters

The next cell checks the parameters with the package and loads the data. A specialist the data
does not know, a period label it cannot read or an unknown business goal stops the notebook
here with a message that lists what is valid."""

WIDGET = """\
## Explore other specialists and periods

In JupyterLab, this picker re-draws the main table and chart above for any specialist and for a
month, a quarter or a custom range, with or without the comparison period, without re-running
the notebook. The first look at a selection takes a few seconds (it is computed); going back to
it is instant. Batch runs set `interactive = False` and skip this cell."""

RECORD = """\
## Numbers for machines

The last cell records this notebook's key numbers inside the executed notebook (invisible in the
report); `smmkpi evaluate` collects them into its index and manifest."""


def md(text: str):
    return ("markdown", text.strip("\n"), None)


def code(source: str, tag: str | None = None):
    return ("code", source.strip("\n"), tag)


def opening(name: str, title: str, intro: str, *, team: bool = False) -> list:
    return [
        md(f"# {title}\n\n{intro.strip()}\n\n" + HOW_TO_RUN.format(name=name)),
        code(TEAM_PARAMETERS if team else PARAMETERS, "parameters"),
        md(CHECK),
        code(IMPORTS + "\n\n" + (TEAM_SETUP if team else SETUP)),
    ]


def closing(view: str, records: str) -> list:
    return [
        md(WIDGET),
        code(f'if interactive:\n    widgets.explore(ctx, view="{view}")', "interactive"),
        md(RECORD),
        code(records),
    ]


# --------------------------------------------------------------------------------------------
# the notebooks

SCORECARD = [
    *opening(
        "00-scorecard",
        "Scorecard: the evaluation at a glance",
        """
This notebook answers one question: **how well did this specialist do in this period, judged on
the KPIs that fit their accounts' business goals?** It shows which goals the evaluation is built
on and why, the score of each KPI family, how each KPI did against its target, whether any
number looks bought, and what to talk about with the specialist. The other notebooks
(`01-subscribers` to `09-integrity`) explain each family in detail; `10-team` compares everyone.
""",
    ),
    md("""
## The result

One line: who, which period, the overall score (0-100) and the integrity score (100 = no sign of
gamed numbers). The overall score is the weighted mean of the points of every judged KPI; a KPI
earns at most 100 points, so beating one target cannot hide missing another.
"""),
    code('ctx.show_headline("scorecard")'),
    md("""
## Why these KPIs: the business goal

SMM cannot promise sales: price, stock and the sales team decide them. What SMM controls is
content, conversation with the audience and traffic of the right people, and which of these
matter depends on why the company is in social media. Each account has a business goal
(sales, leads, awareness, community, education or entertainment), and each goal has a profile:
the KPIs that count and their weights. A specialist who runs accounts with different goals is
judged on a blend, weighted by the days spent on each account. Subscriber counts always weigh
little: they are the easiest number to buy.
"""),
    code("ctx.show_profile()"),
    md("""
## Family scores

Each KPI family (reach, engagement, communications...) gets a score from 0 to 100: the weighted
mean of the points of its KPIs. *Share of the overall score* says how much the family weighs for
this specialist's goals; a family that is not listed does not count for these goals. With the
comparison on, the previous period's family scores are shown beside this period's.

**How to read it:** look first at the families with the largest share. A low score in a family
that weighs 2 % matters little; a low score in one that weighs 25 % is the conversation to have.
"""),
    code('ctx.show_table("family_scores")'),
    md("""
## Attainment of each KPI

Each bar is one judged KPI: 100 % means the target was met. When there is no target in
`targets.csv` for the specialist and period, last period's value is the target, so 100 % means
"held last period's level". For KPIs where lower is better (reply time, bounce rate, cost per
lead) the bar is already turned around: more is always better on this chart. Bars stop at 150 %.
The weight of each KPI is in brackets.

**How to read it:** green bars met their target, orange ones missed it. A KPI with a large
weight and a short bar costs the most points. A KPI flagged by the integrity checks earns 0
points even when its bar is long: see below.
"""),
    code('ctx.plot("attainment")'),
    md("""
## Integrity: were any numbers bought?

Followers, likes and site visits can be bought. The integrity checks look for the traces this
leaves: a burst of follows without more reach and the wave of unfollows that comes after it,
posts with far more likes than their reach explains, and visits that last a few seconds on one
page. Only *warning* and *critical* flags count: a KPI they put in doubt earns no points, and
the integrity score loses 30 points per critical and 10 per warning flag (at most 50 per kind
of flag). `09-integrity` shows the evidence.
"""),
    code('ctx.show_table("flags")'),
    md("""
## Points to discuss with the specialist

A starting list for the review meeting: integrity flags first, then the KPIs furthest below
their target, the strongest results, and what could not be judged (a KPI without data drops out
and its weight goes to the others).
"""),
    code("ctx.show_points()"),
    *closing("scorecard", "ctx.record_scores()"),
]

SUBSCRIBERS = [
    *opening(
        "01-subscribers",
        "Subscribers: how the audience grew",
        """
This notebook answers: **did the accounts gain followers, and was the growth real?** Follower
counts are the most familiar SMM number and the easiest to fake, so this notebook shows them next
to the daily follows and unfollows, and next to the growth that remains once bought followers
are taken out.
""",
    ),
    code('ctx.show_headline("subscribers")'),
    md("""
## The subscriber KPIs

- **Followers at period end** (`followers_end`): all the specialist's accounts together, on the
  last day they ran each one.
- **Net follower growth** (`net_follower_growth`): followers at the end minus followers just
  before the period began.
- **Follower growth rate** (`follower_growth_rate`): the same as a percentage of the starting
  followers, so that a small and a large account can be compared.
- **Unfollow rate** (`unfollow_rate`): people who left, as a percentage of the starting
  followers. Lower is better; it shows whether content drives people away.
- **Net follower growth, cleaned** (`clean_net_follower_growth`): net growth minus the extra
  follows of days the integrity checks flag as bought, plus the unfollows of the bots leaving
  afterwards (so the same bots are not counted against the specialist twice).

**When they are the right KPIs:** never on their own. Every profile gives them a small weight
(3-7 of 100), and only the cleaned growth counts in the score. They matter most for community and
entertainment accounts, where a growing audience is part of the goal.

**How they are gamed:** bot farms sell followers by the thousand; giveaways ("follow to win")
bring people who leave afterwards; follow-for-follow inflates counts. smmkpi looks for a burst of
follows that reach and profile visits do not explain, and for the wave of unfollows that
usually follows it; the scorecard gives a flagged follower KPI 0 points.
"""),
    code('ctx.show_kpis("subscribers")'),
    md("""
## Followers day by day

The line is the number of followers (all accounts together); green bars going up are the day's
follows, red bars going down the day's unfollows. Days that the integrity checks flagged are
shaded red.

**How to read it:** healthy growth is a steady slope with follows that move with the posting
rhythm. A tall green bar on one or a few days, with no matching rise in reach, followed weeks
later by taller red bars, is the signature of bought followers.
"""),
    code('ctx.plot("followers")'),
    md("""
## Per account

Followers at the start and at the end of the days this specialist ran each account, and the
unfollows in between. An account handed over during the period shows only its own days.
"""),
    code('ctx.show_table("followers")'),
    *closing("subscribers", 'ctx.record_kpis("subscribers")'),
]

REACH = [
    *opening(
        "02-reach",
        "Reach: how many people saw the content",
        """
This notebook answers: **how many people did the accounts reach, and is that growing?** Reach is
the number of different people who saw the account's content on a day. It is the first step of
everything else: nobody can like, click or buy what they never saw.
""",
    ),
    code('ctx.show_headline("reach")'),
    md("""
## The reach KPIs

- **Average daily reach** (`avg_daily_reach`): each day's reach summed over the accounts, averaged
  over the period's days. A day where an account reported no reach is left out rather than
  counted as zero.
- **Reach growth** (`reach_growth`): the change of average daily reach against the previous
  period, in percent. Periods of different lengths compare fairly because it is a daily average.
- **Average post reach** (`avg_post_reach`): how many people one post reached, on average.
- **Reach rate** (`reach_rate`): post reach as a percentage of the followers on the day of the
  post: how much of the audience a post actually reaches. (Telegram analytics call this "ERR";
  smmkpi keeps that name for engagement by reach.)

**When they are the right KPIs:** for direct sales and brand awareness, reach leads the
evaluation: more of the right people must see the brand. For entertainment, the reach of each
post matters. For leads and communities it counts, but less.

**How they can be inflated:** paid promotion raises reach (the data marks promoted posts and
the ad spend is in `ad_spend`); reposting into large foreign groups brings reach of the wrong
people, which shows later as a high bounce rate (see `06-site-traffic`). Reach itself is hard to
buy, which is why it weighs more than followers.
"""),
    code('ctx.show_kpis("reach")'),
    md("""
## Daily reach against the previous period

Both periods are drawn from their first day (day 1) so that weekdays and the length of the
period line up. The solid line is this period, the dashed one the previous period.

**How to read it:** a solid line above the dashed one means reach grew. Regular dips are
usually weekends. A gap in a line is a day without data, never a zero.
"""),
    code('ctx.plot("reach")'),
    md("""
## Per account

The main KPIs of each account, computed on the days this specialist ran it. An account that
reaches far fewer people than the others may need a different content plan, or may simply be
younger.
"""),
    code('ctx.show_table("by_account")'),
    *closing("reach", 'ctx.record_kpis("reach")'),
]

ENGAGEMENT = [
    *opening(
        "03-engagement",
        "Engagement: did people react to the content?",
        """
This notebook answers: **do the people who see the posts react to them: like, comment, share,
save?** Engagement shows whether content is worth a reaction, which is what platforms reward
with more reach.
""",
    ),
    code('ctx.show_headline("engagement")'),
    md("""
## The engagement KPIs

All rates are *ratios of sums*: all interactions of the period divided by all reach (or
followers, or views) of the same posts, so a post seen by 30 000 people weighs more than one seen
by 30. A post that reports none of likes, comments, shares and saves is left out.

- **Interactions** (`interactions`): likes + comments + shares + saves over all posts.
- **ER by reach** (`er_reach`, "ERR"): interactions per 100 people reached. The fairest rate:
  it does not fall just because the audience grew.
- **ER by followers** (`er_followers`): interactions per 100 followers (on the day of each
  post).
- **ER by views** (`er_views`): interactions per 100 views.
- **Love rate, talk rate, amplification rate** (`love_rate`, `talk_rate`,
  `amplification_rate`): likes, comments and shares per 100 followers. Comments mean
  conversation, shares mean people vouch for the content with their own name.

**When they are the right KPIs:** for communities, education and entertainment engagement
leads the evaluation. For sales and leads it counts a little: a reaction is not a purchase.

**How they are gamed:** likes are sold in packages, "engagement pods" like each other's posts,
giveaways ask people to comment. Bought likes leave a trace: a post whose likes per person
reached are far above the account's other posts, while its comments and shares stay ordinary.
smmkpi flags such posts, and a flagged engagement KPI earns 0 points in the scorecard. Comments
and shares are harder to fake, which is why the talk and amplification rates are worth reading.
"""),
    code('ctx.show_kpis("engagement")'),
    md("""
## ER by format

ER by reach for each post format (photo, video, carousel...), with the number of posts on each
bar.

**How to read it:** the tallest bars show what this audience responds to. A format with a high
bar but only one or two posts is a hint, not a conclusion.
"""),
    code('ctx.plot("er_by_format")'),
    md("""
## Each post

Every post is a dot: when it was published and its own ER by reach, coloured by format. The
dashed line is the period's ER by reach (the ratio of sums).

**How to read it:** dots far above the others deserve a look: either the content struck a chord
(then repeat it) or the likes were bought (then `09-integrity` flags it). ER above 100 % means
more interactions than people reached, which ordinary audiences do not produce.
"""),
    code('ctx.plot("er_by_post")'),
    md("""
## The best posts

The five posts with the highest ER by reach, with their topic and format. Post texts are not
shown in reports.
"""),
    code('ctx.show_table("top_posts")'),
    *closing("engagement", 'ctx.record_kpis("engagement")'),
]

CONTENT = [
    *opening(
        "04-content",
        "Content: was the plan delivered?",
        """
This notebook answers: **did the specialist publish what was planned, steadily, and did the
posts earn reactions?** Producing and publishing content is the first of the three things SMM
does (with conversation and traffic).
""",
    ),
    code('ctx.show_headline("content")'),
    md("""
## The content KPIs

- **Posts published** (`posts_published`): posts on the specialist's accounts and days.
- **Content plan completion** (`plan_completion`): planned slots of the content plan filled by a
  post of that account on that day (and of that format, when the plan names one), in percent.
  One post fills one slot.
- **Interactions per post** (`interactions_per_post`): likes, comments, shares and saves per
  post.

**When they are the right KPIs:** for communities, education and entertainment, where a steady
rhythm of useful posts is the job. For sales and leads they are not weighed: there, what counts
is what the posts bring.

**How they can be gamed:** posting filler raises the post count; that is why interactions per
post stands next to it, and why plan completion asks for the planned format on the planned day.
Interactions per post can be inflated with bought likes (see `09-integrity`).
"""),
    code('ctx.show_kpis("content")'),
    md("""
## Plan against publications

For each week: the planned slots, the posts published and the slots a post actually filled.

**How to read it:** the three bars should be about the same height. Many posts but few filled
slots means the specialist published, but not what was planned (another format, another day).
Weeks without planned slots show posts only.
"""),
    code('ctx.plot("calendar")'),
    md("""
## Formats

How many posts of each format were published, their interactions, reach and ER by reach.
"""),
    code('ctx.show_table("by_format")'),
    *closing("content", 'ctx.record_kpis("content")'),
]

COMMUNICATIONS = [
    *opening(
        "05-communications",
        "Communications: did people get answers?",
        """
This notebook answers: **when people wrote to the brand, in comments or direct messages, did
they get an answer, how fast, and was it a real answer?** People come to social media to talk.
Communities that answer win; communities that send every question to "call our manager" lose
people who were ready to buy.
""",
    ),
    code('ctx.show_headline("communications")'),
    md("""
## The communications KPIs

A **request** is a run of messages from a person in one conversation, up to the first answer by
staff. Bot auto-replies are not answers and do not end the request.

- **Requests** (`requests`): how many requests started in the period.
- **Response rate** (`response_rate`): requests that got a staff answer, in percent.
- **Median and 90th-percentile first response** (`median_first_response_min`,
  `p90_first_response_min`): minutes from the request to the first staff answer. The median is
  the typical case; the 90th percentile shows the slow tail (one request in ten waited longer).
- **The same in working hours** (`median_first_response_work_min`,
  `p90_first_response_work_min`): only the minutes inside the account's working hours and days
  count, so a question asked at 23:00 and answered at 9:05 the next morning took 5 minutes.
- **Redirect rate** (`redirect_rate`): first answers that sent the person elsewhere ("call our
  manager") instead of answering, in percent. Lower is better.

**When they are the right KPIs:** for leads and communities they lead the evaluation; for
education they weigh a lot; for sales and entertainment they count a little.

**How they can be gamed:** an automatic "we will get back to you" looks like an answer; smmkpi
counts only staff messages. A quick "call our manager" looks fast; the redirect rate shows it.
Working-hours times keep the night from counting against the specialist.
"""),
    code('ctx.show_kpis("communications")'),
    md("""
## Time to the first reply

The share of answered requests (up the side) that got their first reply within a number of
minutes (along the bottom), in clock time and in working hours. Dotted lines mark the medians.

**How to read it:** the further left the curves rise, the faster people were answered. A long
flat tail to the right is the slow answers that the 90th percentile measures. A large gap between
the two curves means many requests arrive outside working hours.
"""),
    code('ctx.plot("reply_times")'),
    md("""
## Per account and channel

Requests, answers and median reply times for each account and channel (comments or direct
messages). Message texts are never shown: they may hold personal data.
"""),
    code('ctx.show_table("requests")'),
    *closing("communications", 'ctx.record_kpis("communications")'),
]

TRAFFIC = [
    *opening(
        "06-site-traffic",
        "Site traffic: did the right people come to the site?",
        """
This notebook answers: **how many visits did the social accounts bring to the brand's site, and
were they real, interested people?** Traffic is the third thing SMM does: it brings prepared,
interested people to the site, where the business can serve them.
""",
    ),
    code('ctx.show_headline("traffic")'),
    md("""
## The traffic KPIs

Visits come from the web analytics (Yandex Metrica or GA4), attributed to the social account
they came from.

- **Site sessions from social** (`social_sessions`): visits from the specialist's accounts,
  robots left out.
- **Bounce rate** (`bounce_rate`): visits that left at once, in percent (Yandex Metrica's rule:
  one page and under 15 seconds, unless the analytics said otherwise). Lower is better. GA4
  defines bounce differently; do not compare the two raw.
- **Average session duration** (`avg_session_duration_s`) and **pages per session**
  (`pages_per_session`): how much of the site the visitors looked at.
- **Post click-through rate** (`post_ctr`): link clicks per 100 people the posts reached.

**When they are the right KPIs:** for direct sales they lead, with goals reached; for leads they
count too. For awareness and communities they are not weighed.

**How they can be gamed:** visits can be bought from click farms and bots; they last seconds,
see one page and never reach a goal. Sessions the analytics marks as robots are left out, and
smmkpi flags bursts of unmarked one-page, few-second visits (see `09-integrity`); a flagged
sessions KPI earns 0 points. Clickbait raises clicks but also the bounce rate, which is why the
two stand side by side.
"""),
    code('ctx.show_kpis("traffic")'),
    md("""
## From reach to goals

Four steps, top to bottom: people reached by the posts, clicks on the posts' links, visits to
the site, goals reached. Each bar shows its number and its share of the step above; the axis is
logarithmic because the steps differ by orders of magnitude.

**How to read it:** the step with the smallest share is where people are lost. Few clicks for the
reach: the posts do not invite a visit. Few goals for the visits: the site (not SMM) may be the
problem. More visits than clicks is normal when visits also come from profile links and stories.
"""),
    code('ctx.plot("funnel")'),
    md("""
## The funnel in numbers
"""),
    code('ctx.show_table("funnel")'),
    *closing("traffic", 'ctx.record_kpis("traffic")'),
]

GOALS = [
    *opening(
        "07-goals",
        "Goals reached: did visits turn into contacts?",
        """
This notebook answers: **how many people did something the business wanted (left a contact,
called, wrote, ordered a sample), and at what cost?** A goal reached is a step beyond a visit:
usually a warm contact the sales team can follow up.
""",
    ),
    code('ctx.show_headline("goals")'),
    md("""
## The goal KPIs

- **Conversions** (`conversions`): goals reached and attributed to the specialist's accounts.
- **Leads** (`leads`): the conversions that are warm contacts: contact form, call, direct
  message, consultation, sample order.
- **Conversion rate** (`conversion_rate`): visits from social that reached at least one goal, in
  percent of all visits from social.
- **Cost per lead** (`cost_per_lead`): the ad spend of the specialist's accounts divided by the
  leads. Lower is better.

**When they are the right KPIs:** for leads they lead the evaluation; for direct sales they
weigh as much as reach and traffic. For awareness, communities, education and entertainment they
are not weighed.

**How they can be gamed:** fake form fills are possible but rare, and they surface quickly in
sales follow-up. A goal counts only through the social account the analytics attributed it to.
"""),
    code('ctx.show_kpis("goals")'),
    md("""
## Sales: shown, never scored

**Attributed revenue** (`attributed_revenue`) sums the value of purchases attributed to the
accounts. It is shown for context only: price, stock, the site and the sales team decide sales,
and SMM cannot guarantee them.
"""),
    code('ctx.show_kpis("context")'),
    md("""
## Goals by type

How many goals of each type were reached; lead goals in colour, the others in grey, with their
value when the analytics records one.

**How to read it:** the long coloured bars are where the leads come from. If nearly all goals
are page views or downloads, the content attracts interest but not contacts.
"""),
    code('ctx.plot("goals")'),
    md("""
## In numbers
"""),
    code('ctx.show_table("goals")'),
    *closing("goals", 'ctx.record_kpis("goals", "context")'),
]

AWARENESS = [
    *opening(
        "08-brand-awareness",
        "Brand awareness: do people talk about the brand?",
        """
This notebook answers: **how often, and how warmly, do people mention the brand, compared with
its competitors?** Mentions come from a monitoring service such as Brand Analytics: posts,
comments and articles anywhere that name the brand.
""",
    ),
    code('ctx.show_headline("awareness")'),
    md("""
## The awareness KPIs

Only mentions by others count: posts by the brand's own accounts are left out.

- **Mentions** (`mentions`): mentions of the brands of the specialist's accounts on the days they
  ran them.
- **Mentions growth** (`mentions_growth`): the change of mentions per day against the previous
  period, in percent.
- **Share of voice** (`share_of_voice`): the brand's mentions as a percentage of the mentions
  of every brand monitored on the same days (competitors included).
- **Net sentiment** (`net_sentiment`): positive minus negative mentions, over positive plus
  negative, in percent (from -100 to +100; neutral mentions are left out).

**When they are the right KPIs:** for brand awareness they lead the evaluation, with reach. For
the other goals they are not weighed.

**How they can be gamed:** mentions can be seeded with paid posts or fake accounts; posting from
the brand's own accounts does not count. Share of voice is harder to move: competitors are in
the denominator. Net sentiment depends on the monitoring service's classification; read a sample
of the texts in the service before acting on a sudden change.
"""),
    code('ctx.show_kpis("awareness")'),
    md("""
## Mentions by sentiment

Mentions of the specialist's brands each week, split into positive (green), neutral (grey),
negative (red) and mentions without a sentiment.

**How to read it:** a tall red part is a complaint wave worth reading in the monitoring service.
A week that towers over the others usually has a news story or a campaign behind it.
"""),
    code('ctx.plot("mentions")'),
    md("""
## Share of voice

Each brand's share of all mentions on the specialist's days; the specialist's brands in colour.
A brand listed with "(other days)" is the same brand on days that another specialist ran its
account.

**How to read it:** the specialist's bar against the competitors' is the market's attention.
"""),
    code('ctx.plot("share_of_voice")'),
    code('ctx.show_table("share_of_voice")'),
    *closing("awareness", 'ctx.record_kpis("awareness")'),
]

INTEGRITY = [
    *opening(
        "09-integrity",
        "Integrity: signs of gamed numbers",
        """
This notebook answers: **do any of the numbers look bought?** Followers, likes and site visits
can be bought cheaply, and a specialist paid on them is tempted. Bought numbers leave traces that
real audiences do not, and this notebook shows the evidence for each flag, so that a manager can
judge it rather than trust a verdict.
""",
    ),
    code('ctx.show_headline("integrity")'),
    md("""
## The checks

Each check compares an account with its own history (the weeks around a day), never with a
fixed threshold for every account:

- **Bought followers (follower spike):** a burst of follows far above the account's usual
  rhythm, while reach, views and profile visits did not rise to explain it.
- **Unfollow wave:** weeks after a spike, the bought followers leave or the platform removes
  them.
- **Growth without activity:** followers grew by 8 % or more in a month while reach and
  interactions per post did not grow.
- **Bought likes:** a post whose likes per person reached are far above the account's other
  posts while its comments and shares stay ordinary (bought likes rarely come with comments).
- **Robot traffic:** a large share of site visits marked as robots, or a burst of one-page visits
  of a few seconds that the analytics did not mark.
- **Impossible numbers:** more likes than people reached, more unfollows than followers.

Each flag has a severity. *Info* is worth a look and costs nothing; *warning* and *critical*
flags cost the KPIs they put in doubt all their points in the scorecard, and cost the
**integrity score** (`integrity_score`, 100 = no sign of gamed numbers) 10 and 30 points each, at
most 50 per kind of flag. The **cleaned net follower growth** (`clean_net_follower_growth`)
removes the follows of flagged spikes.

A flag is evidence, not proof: a viral post or a mention by a celebrity also brings a burst.
Read the evidence, then ask the specialist.
"""),
    code('ctx.show_table("flags")'),
    code('ctx.show_kpis("integrity")'),
    md("""
## Evidence: followers

Followers with the daily follows (up) and unfollows (down); the days of flagged spikes and
unfollow waves are shaded red.

**How to read it:** a bought spike is a tall block of follows with a flat reach, and often a block
of unfollows some weeks later. Compare with `02-reach`: real growth comes with more reach.
"""),
    code('ctx.plot("followers")'),
    md("""
## Evidence: likes

Each post's ER by reach; the posts flagged for bought likes are circled in red.

**How to read it:** the circled posts stand far above the rest, often above 100 % (more
interactions than people who saw the post).
"""),
    code('ctx.plot("likes_evidence")'),
    md("""
## Evidence: site visits

Daily visits from the specialist's accounts: people in blue, visits the analytics marked as
robots in red. Robots never count in `social_sessions`. Days shaded red are flagged robot
traffic: either many marked robots, or a burst of one-page visits of a few seconds that the
analytics did not mark (they look like people in blue, which is why the check exists).
"""),
    code('ctx.plot("robot_sessions")'),
    *closing("integrity", "ctx.record_integrity()"),
]

TEAM = [
    *opening(
        "10-team",
        "Team: every specialist side by side",
        """
This notebook answers: **how do the specialists compare in this period, and how have their
scores moved over recent periods?** Each specialist is judged on the goals of their own
accounts, so the scores compare how well each did their own job, not who has the bigger
accounts.

**Who it is for.** With `audience = "manager"` it shows everyone by name. With
`audience = "specialist"` it is the version to send to one specialist (`specialist`): only their
own row, and an anonymous team median to compare with; no other name appears.
""",
        team=True,
    ),
    code('ctx.show_headline("team")'),
    md("""
## Scores

The overall score, the integrity score and each family's score (0-100) for every specialist, and
the number of integrity flags that count. A family a specialist's goals do not weigh shows
`n/a`.

**How to read it:** compare the overall scores first, then look at the integrity column: a high
overall score with a low integrity score needs the `09-integrity` notebook before any praise.
"""),
    code('ctx.show_table("team")'),
    md("""
The same overall scores as bars, with each specialist's integrity score beside the bar (the
grey bar is the team median in a specialist's version).
"""),
    code('ctx.plot("team_scores")'),
    md("""
## Over recent periods

The overall score of the last four periods (this one and the three before it). One period can
be luck; a direction over four is a trend.

**How to read it:** a line that keeps falling deserves a conversation even when the latest score
is still good. A jump in one period often coincides with a change of accounts.
"""),
    code('ctx.plot("team_trend")'),
    *closing("team", "ctx.record_team()"),
]

SOURCES = {
    "00-scorecard": SCORECARD,
    "01-subscribers": SUBSCRIBERS,
    "02-reach": REACH,
    "03-engagement": ENGAGEMENT,
    "04-content": CONTENT,
    "05-communications": COMMUNICATIONS,
    "06-site-traffic": TRAFFIC,
    "07-goals": GOALS,
    "08-brand-awareness": AWARENESS,
    "09-integrity": INTEGRITY,
    "10-team": TEAM,
}


def build_notebook(name: str, cells: list) -> nbformat.NotebookNode:
    """Return the notebook ``name`` from its cell list (stable ids: ``<name>-<nn>``)."""
    nb = new_notebook(
        metadata={
            "kernelspec": {
                "display_name": "Python 3 (ipykernel)",
                "language": "python",
                "name": "python3",
            },
            "language_info": {"name": "python"},
        }
    )
    nb.nbformat, nb.nbformat_minor = 4, 5
    for index, (kind, text, tag) in enumerate(cells):
        cell_id = f"{name[:2]}-{index:02d}"
        if kind == "markdown":
            cell = new_markdown_cell(text, id=cell_id)
        else:
            cell = new_code_cell(text, id=cell_id)
        if tag:
            cell.metadata["tags"] = [tag]
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def render(name: str) -> str:
    """Return the text of ``notebooks/<name>.ipynb`` as it must be committed."""
    text = nbformat.writes(build_notebook(name, SOURCES[name]), version=4)
    return text if text.endswith("\n") else text + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare, write nothing")
    args = parser.parse_args(argv)
    stale = []
    for name in SOURCES:
        path = NOTEBOOKS_DIR / f"{name}.ipynb"
        text = render(name)
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path.name)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
    if args.check and stale:
        print("out of date (run python scripts/build_notebooks.py): " + ", ".join(stale))  # noqa: T201
        return 1
    if not args.check:
        print(f"{len(stale)} notebook(s) written, {len(SOURCES) - len(stale)} unchanged")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
