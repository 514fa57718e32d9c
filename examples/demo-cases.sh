#!/usr/bin/env bash
# Re-creates the demo case log in cases/ by driving caselog itself, with the
# clock pinned through CASELOG_NOW so every timestamp is reproducible.
# (Ids are random by design, so each run gives new ids.)
#
#   examples/demo-cases.sh            # from the repository root
#
# The business: Ferncliff Coffee, a small roaster with a web shop, coffee
# subscriptions and one café. Three people handle complaints.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --quiet
bin="$PWD/target/release/caselog"
export CASELOG_DIR="$PWD"
rm -rf cases && mkdir cases

ANA=ana@ferncliff.example BEN=ben@ferncliff.example CARLA=carla@ferncliff.example

# at TIME PERSON caselog-arguments...
at() { local when=$1 who=$2; shift 2; CASELOG_NOW="$when" "$bin" "$@" --by "$who"; }

# 1. Delivery that never arrived; refunded, customer satisfied.
id=$(at 2026-08-03T08:40:00Z $ANA open --title "Order never arrived" --customer "Hannah Weiss" \
  --contact hannah.weiss@example.com --reference FC-10231 --channel email --category delivery \
  --severity high --tag courier --wants "Send the order again or refund it" --assignee $ANA \
  --summary "I ordered two bags of the Ethiopia Guji on 24 July. Tracking has said 'out for delivery' for eight days. Nobody has knocked and there is no card through the door.")
at 2026-08-03T09:10:00Z $ANA note "$id" --kind reply "Apologised, confirmed the tracking shows no delivery scan. Asked if a neighbour might have taken it."
at 2026-08-03T11:30:00Z $ANA note "$id" --kind call "Called the courier: parcel lost at the depot. Claim opened, ref DX-55812."
at 2026-08-03T11:40:00Z $ANA propose "$id" "Send the order again by express" --pro "Coffee in two days" --con "She waits again"
at 2026-08-03T11:41:00Z $ANA propose "$id" "Refund the order in full" --pro "Money back at once" --con "No coffee this month"
at 2026-08-03T12:00:00Z $ANA agree "$id" 2 --how email --contingency "If the courier finds the parcel, she keeps it at no charge" \
  --monitor "Check on 6 August that the refund has settled"
at 2026-08-04T10:00:00Z $ANA resolve "$id" --summary "Refunded 28.00 EUR in full; courier claim is ours to chase." \
  --outcome upheld --root-cause "Parcel lost at the courier depot" --redress "Full refund, 28.00 EUR"
at 2026-08-06T09:00:00Z $ANA follow-up "$id" --done --satisfied yes "Refund arrived; she will order again."

# 2. Billed twice for a subscription; refunded, satisfied.
id=$(at 2026-08-07T14:05:00Z $BEN open --title "Charged twice for August subscription" --customer "Tomás Ortega" \
  --contact "+34 600 112 233" --preferred-contact phone --reference SUB-2291 --channel phone --category billing \
  --tag subscription --tag double-charge --wants "Refund the second charge" --assignee $BEN \
  --summary $'My card was charged 19.50 twice on 1 August for one subscription box.\nThe bank statement shows both as settled, not pending.')
at 2026-08-07T14:20:00Z $BEN note "$id" --kind reply "Apologised; confirmed two captures in the payment dashboard."
at 2026-08-08T09:30:00Z $BEN resolve "$id" --summary "Second charge refunded; payment provider retried a timed-out capture. Ticket raised with them." --agreed \
  --outcome upheld --root-cause "Payment provider retried a timed-out capture" --redress "Refund of the second charge"
at 2026-08-10T10:15:00Z $BEN follow-up "$id" --done --satisfied yes

# 3. Grinder arrived broken; replacement, satisfied.
id=$(at 2026-08-12T10:00:00Z $CARLA open --title "Hand grinder arrived with cracked handle" --customer "Priya Natarajan" \
  --contact priya.n@example.com --reference FC-10412 --channel web --category product --tag equipment --tag damaged \
  --wants "A replacement grinder" --assignee $CARLA \
  --summary "The box looked fine but the grinder handle is cracked through at the hinge. Photo attached to the web form.")
at 2026-08-12T10:45:00Z $CARLA note "$id" --kind email "Thanked her for the photo, apologised, asked for the batch number on the base."
at 2026-08-12T16:00:00Z $CARLA note "$id" "Batch G-0724. Supplier says two other cracked handles from the same batch."
at 2026-08-12T16:10:00Z $CARLA propose "$id" "New grinder by express, keep the broken one" --pro "Fast" --con "Costs us a grinder"
at 2026-08-12T16:11:00Z $CARLA propose "$id" "Refund on return of the grinder" --pro "We recover the unit" --con "She has no grinder"
at 2026-08-12T16:30:00Z $CARLA agree "$id" 1 --how email --monitor "Tracking of the express parcel"
at 2026-08-13T09:00:00Z $CARLA resolve "$id" --summary "New grinder sent by express; no need to return the broken one." \
  --outcome upheld --root-cause "Faulty supplier batch G-0724" --redress "Replacement grinder"
at 2026-08-15T09:30:00Z $CARLA follow-up "$id" --done --satisfied yes "Replacement works well."

# 4. Rude staff at the café; apology and voucher, satisfied.
id=$(at 2026-08-18T17:20:00Z $ANA open --title "Barista was dismissive about an oat milk request" --customer "Leo Martin" \
  --channel in-person --category service --severity normal --tag cafe --wants "An apology" --assignee $ANA \
  --summary "I asked whether the flat white could be made with oat milk and was told 'read the board'. I felt brushed off in front of the queue.")
at 2026-08-18T17:25:00Z $ANA note "$id" --kind acknowledged "Took him aside at the counter."
at 2026-08-18T17:26:00Z $ANA note "$id" --kind listened "Repeated back: he felt brushed off in front of the queue."
at 2026-08-18T17:27:00Z $ANA note "$id" --kind apologised "Apologised in person, without excuses."
at 2026-08-18T17:28:00Z $ANA note "$id" --kind thanked "Thanked him for telling us rather than just leaving."
at 2026-08-19T09:00:00Z $ANA note "$id" "Spoke with the shift lead; team briefing on alternative milks scheduled."
at 2026-08-19T09:30:00Z $ANA resolve "$id" --summary "Apologised; two drinks voucher; staff briefing held on 20 August." --agreed \
  --outcome upheld --root-cause "Staff unsure about milk alternatives" --redress "Voucher for two drinks"
at 2026-08-21T12:00:00Z $ANA follow-up "$id" --done --satisfied yes

# 5. Website checkout error; fixed, no answer at follow-up, closed by hand.
id=$(at 2026-08-25T21:10:00Z $BEN open --title "Checkout fails with 'payment method unavailable'" --customer "Sofia Rossi" \
  --contact sofia.rossi@example.com --channel email --category website --severity high --tag checkout --assignee $BEN \
  --wants "To be able to pay" \
  --summary "Every time I press Pay I get 'payment method unavailable'. Tried two cards and two browsers.")
at 2026-08-26T08:15:00Z $BEN note "$id" --kind reply "Apologised; asked for the country of the billing address."
at 2026-08-26T12:00:00Z $BEN note "$id" "Italian billing addresses rejected since the 24 August plugin update."
at 2026-08-26T15:00:00Z $BEN resolve "$id" --summary "Plugin rolled back; test order with an Italian address succeeded. Emailed the customer a 10% code."
at 2026-08-28T15:00:00Z $BEN follow-up "$id" --done "Two emails, no answer."
at 2026-09-04T09:00:00Z $BEN close "$id" --reason "no answer after two follow-up emails; she ordered on 29 August"

# 6. Stale beans; reopened once, then satisfied.
id=$(at 2026-09-02T07:55:00Z $CARLA open --title "Beans tasted stale" --customer "Hannah Weiss" \
  --contact hannah.weiss@example.com --reference FC-10231 --channel email --category product --tag freshness \
  --wants "Fresh beans" --assignee $CARLA \
  --summary "The Colombia bag from my last order tastes flat and papery. Roast date on the bag is 6 weeks ago, not 'roasted this week' as the site says.")
at 2026-09-02T09:00:00Z $CARLA note "$id" --kind reply "Apologised; confirmed the bag came from old stock."
at 2026-09-02T10:00:00Z $CARLA resolve "$id" --summary "Sent a fresh bag roasted today." --agreed
at 2026-09-04T10:00:00Z $CARLA follow-up "$id" --done --satisfied no "Fresh bag arrived but was ground, she buys whole bean."
at 2026-09-04T10:30:00Z $CARLA note "$id" "Root cause: packing picked the ground SKU. Labels look alike."
at 2026-09-04T11:00:00Z $CARLA resolve "$id" --summary "Whole-bean bag sent; packing labels for ground coffee now printed in red." --agreed \
  --outcome upheld --root-cause "Ground and whole-bean labels look alike" --redress "Fresh whole-bean bag"
at 2026-09-06T11:00:00Z $CARLA follow-up "$id" --done --satisfied yes

# 7. Subscription not paused; refunded, satisfied.
id=$(at 2026-09-09T12:30:00Z $BEN open --title "Subscription shipped while paused" --customer "Grace Okafor" \
  --contact grace.okafor@example.com --reference SUB-1870 --channel chat --category subscription --tag pause \
  --wants "Refund for the box" --assignee $BEN \
  --summary "I paused my subscription for September on the website and still got charged and sent a box while I was away.")
at 2026-09-09T12:35:00Z $BEN note "$id" --kind reply "Apologised in chat; the pause was saved after the cut-off for the September run."
at 2026-09-09T13:00:00Z $BEN resolve "$id" --summary "Refunded the September box; she keeps the coffee. Pause cut-off now shown on the pause page." --agreed
at 2026-09-11T13:00:00Z $BEN follow-up "$id" --done --satisfied yes

# 8. Wrong item; waited on courier, resolved, satisfied.
id=$(at 2026-09-14T09:20:00Z $ANA open --title "Received decaf instead of espresso blend" --customer "Jonas Berg" \
  --contact jonas.berg@example.com --reference FC-10977 --channel email --category delivery --tag wrong-item \
  --wants "The right coffee" --assignee $ANA \
  --summary "Ordered 1 kg Espresso Blend, got 1 kg Decaf Swiss Water.")
at 2026-09-14T10:00:00Z $ANA note "$id" --kind reply "Apologised; arranging a collection of the decaf."
at 2026-09-14T10:05:00Z $ANA wait "$id" --on third-party --reason "courier collection of the wrong item"
at 2026-09-16T15:00:00Z $ANA note "$id" --kind reply "Collection done; sending the espresso blend today."
at 2026-09-16T15:10:00Z $ANA resolve "$id" --summary "Espresso blend sent; decaf collected." --agreed
at 2026-09-18T16:00:00Z $ANA follow-up "$id" --done --satisfied yes

# 9. Letter about packaging waste; not agreed, customer unsatisfied, then closed.
id=$(at 2026-09-21T08:00:00Z $CARLA open --title "Too much plastic in the packaging" --customer "Margaret Hale" \
  --channel letter --category product --severity low --tag packaging --assignee $CARLA \
  --wants "Plastic-free packaging" \
  --summary $'Dear Ferncliff,\nEach bag comes in a plastic valve bag inside a plastic mailer. Surely a coffee company that talks about farmers can do better.\nYours, M. Hale')
at 2026-09-23T10:00:00Z $CARLA note "$id" --kind reply "Wrote back: thanked her, explained the valve keeps beans fresh, mailers switching to paper in Q1."
at 2026-09-23T10:30:00Z $CARLA resolve "$id" --summary "Explained the plan: paper mailers from January; valve bags stay for now." --not-agreed \
  --outcome partly-upheld
at 2026-09-30T10:00:00Z $CARLA follow-up "$id" --done --satisfied no "Still wants compostable bags."
at 2026-10-01T09:00:00Z $CARLA close "$id" --reason "No remedy available this year; logged for the packaging review."

# 10. Wrong price charged in café; refunded, satisfied.
id=$(at 2026-09-28T11:40:00Z $ANA open --title "Charged for a large when I ordered a small" --customer "Ravi Shah" \
  --contact ravi.shah@example.com --channel social --category billing --severity low --tag cafe --assignee $ANA \
  --wants "Refund the difference" \
  --summary "Posted on Instagram: 'Paid for a large cappuccino, asked for and got a small. Not the first time.'")
at 2026-09-28T12:10:00Z $ANA note "$id" --kind reply "Replied by DM: apologised, asked for the card's last digits to refund."
at 2026-09-29T09:00:00Z $ANA resolve "$id" --summary "0.80 EUR refunded to card; till buttons relabelled." --agreed
at 2026-10-01T09:00:00Z $ANA follow-up "$id" --done --satisfied yes

# 11. Subscription cancellation ignored; second complaint from SUB-1870.
id=$(at 2026-10-02T16:45:00Z $BEN open --title "Cancelled subscription still charged" --customer "Grace Okafor" \
  --contact grace.okafor@example.com --reference SUB-1870 --channel email --category subscription --severity high \
  --tag cancellation --wants "Refund and confirmation it is cancelled" --assignee $BEN \
  --summary "I cancelled on 20 September and got a confirmation email. I was charged again on 1 October. This is the second problem with my subscription.")
at 2026-10-03T08:30:00Z $BEN note "$id" --kind reply "Apologised; cancellation was recorded but the billing job ignored it."
at 2026-10-03T09:00:00Z $BEN escalate "$id" --to $ANA --reason "Second billing failure for this customer; needs the billing admin."
at 2026-10-03T11:00:00Z $ANA resolve "$id" --summary "Refunded 19.50 EUR; subscription closed in the billing system too; written confirmation sent." --agreed \
  --outcome upheld --root-cause "Billing job ignored cancellations" --redress "Refund, 19.50 EUR"
at 2026-10-05T11:00:00Z $ANA follow-up "$id" --done --satisfied yes

# 12. Loyalty points missing; satisfied.
id=$(at 2026-10-06T10:10:00Z $CARLA open --title "Loyalty stamps not added" --customer "Emma Clarke" \
  --contact emma.clarke@example.com --reference LOY-4410 --channel web --category service --severity low \
  --tag loyalty --assignee $CARLA --wants "Stamps added" \
  --summary "My last five café visits did not add stamps to the app card.")
at 2026-10-06T11:00:00Z $CARLA note "$id" --kind email "Apologised; asked for the dates of the visits."
at 2026-10-07T09:00:00Z $CARLA resolve "$id" --summary "Five stamps added by hand; app sync bug reported to the vendor." --agreed
at 2026-10-09T09:00:00Z $CARLA follow-up "$id" --done --satisfied yes

# 13. Allergy labelling; critical; satisfied.
id=$(at 2026-10-09T13:00:00Z $ANA open --title "Almond biscotti not labelled as containing nuts" --customer "Daniel Kim" \
  --contact daniel.kim@example.com --preferred-contact phone --channel in-person --category product --severity critical \
  --tag allergens --tag cafe --assignee $ANA --wants "Correct labels" \
  --summary "My son has a nut allergy. The biscotti in the café jar had no allergen label. He did not eat one but it was close.")
at 2026-10-09T13:05:00Z $ANA note "$id" --kind reply "Apologised, thanked him; jar removed from the counter immediately."
at 2026-10-09T15:00:00Z $ANA note "$id" "All café bakery items relabelled; allergen check added to the opening checklist."
at 2026-10-09T15:30:00Z $ANA resolve "$id" --summary "Labels fixed the same day; opening checklist now includes allergen labels." --agreed \
  --outcome upheld --root-cause "Allergen labels not checked at opening"
at 2026-10-11T10:00:00Z $ANA follow-up "$id" --done --satisfied yes "Thanked us for acting the same day."

# 14. Courier left parcel in rain; satisfied.
id=$(at 2026-10-13T18:20:00Z $BEN open --title "Parcel left in the rain, bags soaked" --customer "Olivia Brown" \
  --contact olivia.brown@example.com --reference FC-11520 --channel email --category delivery --tag courier \
  --assignee $BEN --wants "Replacement" \
  --summary "The courier left my parcel on the doorstep in the rain. The paper bags were soaked and the beans smell damp.")
at 2026-10-14T08:40:00Z $BEN note "$id" --kind reply "Apologised; replacement on its way with signature required."
at 2026-10-14T09:00:00Z $BEN resolve "$id" --summary "Replacement sent with signature required; courier complaint filed." --agreed \
  --outcome upheld --root-cause "Courier left the parcel unattended" --redress "Replacement parcel"
at 2026-10-16T09:00:00Z $BEN follow-up "$id" --done --satisfied yes

# 15. Gift card not delivered; satisfied.
id=$(at 2026-10-20T09:00:00Z $CARLA open --title "E-gift card never reached the recipient" --customer "Noah Fischer" \
  --contact noah.fischer@example.com --reference FC-11701 --channel chat --category website --tag gift-card \
  --assignee $CARLA --wants "The gift card delivered" \
  --summary "Bought a 30 EUR e-gift card for my mother's birthday. She never got the email, not even in spam.")
at 2026-10-20T09:10:00Z $CARLA note "$id" --kind reply "Apologised; resent to the address; it bounced (typo in the domain)."
at 2026-10-20T09:30:00Z $CARLA note "$id" --kind question "Asked for the correct address."
at 2026-10-20T10:00:00Z $CARLA resolve "$id" --summary "Resent to the corrected address; checkout now validates email domains." --agreed
at 2026-10-22T10:00:00Z $CARLA follow-up "$id" --done --satisfied yes

# 16. Machine descaler damaged machine; waiting on insurer (third party).
id=$(at 2026-10-24T11:00:00Z $ANA open --title "Descaler damaged my espresso machine" --customer "Isabel Costa" \
  --contact isabel.costa@example.com --preferred-contact email --reference FC-11802 --channel email \
  --category product --severity critical --tag equipment --tag liability --assignee $ANA \
  --wants "Repair or replacement of the machine (650 EUR)" \
  --summary "I used your descaler exactly as the instructions say. The pump seal failed and the repair shop says the descaler concentration is too high for this model.")
at 2026-10-24T12:00:00Z $ANA note "$id" --kind reply "Apologised; asked for the repair shop's written report."
at 2026-10-27T09:00:00Z $ANA note "$id" "Report received. Passed to our product liability insurer."
at 2026-10-27T09:05:00Z $ANA wait "$id" --on third-party --reason "insurer's assessment of the repair report"

# 17. Repeat of the stale beans customer: slow reply, resolved; follow-up done, no answer.
id=$(at 2026-10-27T07:30:00Z $CARLA open --title "Subscription coffee arrived ground again" --customer "Hannah Weiss" \
  --contact hannah.weiss@example.com --reference FC-10231 --channel email --category subscription --tag wrong-item \
  --wants "Whole beans, as ordered" --assignee $CARLA \
  --summary "Third problem this year. I buy whole beans. This month's box is ground coffee again.")
at 2026-10-28T16:00:00Z $CARLA note "$id" --kind reply "Apologised for the slow answer and the repeat."
at 2026-10-29T09:00:00Z $CARLA resolve "$id" --summary "Whole-bean box sent; subscription profile corrected (grind option was set at sign-up)."
at 2026-10-31T09:00:00Z $CARLA follow-up "$id" --done "Voicemail left; no reply."

# 18. Slow café service; closed without resolution (withdrawn).
id=$(at 2026-11-01T10:30:00Z $BEN open --title "Waited 25 minutes for two coffees" --customer "Ahmed Haddad" \
  --channel in-person --category service --severity low --tag cafe --assignee $BEN \
  --summary "Saturday morning, one barista on, 25 minutes for two lattes.")
at 2026-11-01T10:35:00Z $BEN note "$id" --kind reply "Apologised; explained a colleague called in sick."
at 2026-11-01T10:40:00Z $BEN close "$id" --reason "Customer said he did not want anything further; staffing rota reviewed."

# 19. Overcharged shipping; resolved, follow-up overdue.
id=$(at 2026-11-04T09:00:00Z $ANA open --title "Shipping charged at express rate" --customer "Chloé Dubois" \
  --contact chloe.dubois@example.com --reference FC-12033 --channel email --category billing --tag shipping \
  --assignee $ANA --wants "Refund the difference" \
  --summary "I picked standard shipping (4.90) but was charged express (9.90).")
at 2026-11-04T09:30:00Z $ANA note "$id" --kind reply "Apologised; confirmed the overcharge."
at 2026-11-04T10:00:00Z $ANA resolve "$id" --summary "5.00 EUR refunded; shipping rule fixed for FR addresses." --agreed

# 20. Subscription skipped month; reopened by the customer, open now.
id=$(at 2026-11-05T14:00:00Z $BEN open --title "November box never shipped" --customer "Lucas Meyer" \
  --contact lucas.meyer@example.com --reference SUB-3012 --channel email --category subscription --severity high \
  --tag subscription --assignee $BEN --wants "The November box" \
  --summary "Charged on 1 November but no shipping email and no box.")
at 2026-11-05T15:00:00Z $BEN note "$id" --kind reply "Apologised; the box was stuck in the warehouse queue."
at 2026-11-06T09:00:00Z $BEN resolve "$id" --summary "Box shipped with tracking." --agreed
at 2026-11-10T12:00:00Z $BEN reopen "$id" --reason "Tracking shows returned to sender: wrong house number in our system."
at 2026-11-10T12:30:00Z $BEN note "$id" --kind question "Asked the customer to confirm the full address."
at 2026-11-10T12:40:00Z $BEN propose "$id" "Reship today to the confirmed address" --pro "Box by Friday" --con "Needs his answer first"
at 2026-11-10T12:41:00Z $BEN propose "$id" "Refund November and ship December as usual" --pro "No waiting on the address" --con "He misses a month"

# 21. Café wifi; low, waiting on customer.
id=$(at 2026-11-08T15:00:00Z $CARLA open --title "Café wifi keeps disconnecting" --customer "Mia Novak" \
  --contact mia.novak@example.com --channel web --category service --severity low --tag cafe --assignee $CARLA \
  --summary "I work from the café on Fridays; the wifi drops every 10 minutes.")
at 2026-11-09T09:00:00Z $CARLA note "$id" --kind reply "Thanked her; asked which device and the time it dropped."
at 2026-11-09T09:05:00Z $CARLA wait "$id" --on customer --reason "device details from the customer" --until 1w

# 22. Damaged grinder from the same batch as case 3; resolved, follow-up due soon.
id=$(at 2026-11-12T11:00:00Z $CARLA open --title "Grinder handle snapped after a week" --customer "Ben Adeyemi" \
  --contact ben.adeyemi@example.com --reference FC-12210 --channel email --category product --severity normal \
  --tag equipment --tag damaged --assignee $CARLA --wants "Refund" \
  --summary "The handle snapped at the hinge while grinding. Batch G-0724 on the base.")
at 2026-11-12T12:00:00Z $CARLA note "$id" --kind reply "Apologised; batch G-0724 known faulty."
at 2026-11-12T12:10:00Z $CARLA note "$id" "Supplier confirms the batch; all remaining G-0724 stock pulled."
at 2026-11-20T10:00:00Z $CARLA resolve "$id" --summary "Full refund issued; customers of batch G-0724 contacted proactively." --agreed \
  --outcome upheld --root-cause "Faulty supplier batch G-0724" --redress "Full refund"

# 23. Voucher code rejected; resolved, follow-up due.
id=$(at 2026-11-14T17:00:00Z $ANA open --title "Apology voucher code rejected at checkout" --customer "Leo Martin" \
  --contact leo.martin@example.com --channel email --category website --tag voucher --assignee $ANA \
  --wants "Working voucher" \
  --summary "The voucher you gave me in August says 'expired'. It was meant to last until December.")
at 2026-11-15T09:00:00Z $ANA note "$id" --kind reply "Apologised; voucher had a 60-day default expiry."
at 2026-11-21T09:00:00Z $ANA resolve "$id" --summary "New voucher issued valid to 31 December; default expiry for apology vouchers now 6 months." --agreed

# 24. Open, no reply yet (recent).
id=$(at 2026-11-21T20:30:00Z $BEN open --title "Subscription box missing the tasting notes card" --customer "Ella Johansson" \
  --contact ella.j@example.com --reference SUB-3120 --channel email --category subscription --severity low \
  --tag subscription --summary "Love the coffee but the tasting card was missing from this month's box.")

# 25. Open, assigned, call logged.
id=$(at 2026-11-18T08:10:00Z $ANA open --title "Bag seal burst in transit" --customer "Oscar Lindqvist" \
  --contact "+46 70 555 0101" --preferred-contact phone --reference FC-12301 --channel phone --category delivery \
  --tag damaged --assignee $BEN --wants "Replacement bag" \
  --summary "One of the three bags burst; beans loose in the box. The other two are fine.")
at 2026-11-18T09:00:00Z $BEN note "$id" --kind call "Called back: apologised, replacement agreed in principle, checking stock of the Kenya AA."
at 2026-11-18T09:05:00Z $BEN propose "$id" "Replacement Kenya AA bag" --pro "What he asked for" --con "Out of stock until Monday"
at 2026-11-18T09:06:00Z $BEN propose "$id" "Another origin today" --pro "Ships at once" --con "Not his choice"
at 2026-11-18T09:10:00Z $BEN agree "$id" 1 --how phone --contingency "If the Kenya AA is late, send the Ethiopia at no charge" \
  --monitor "Stock check on Monday morning"

# 26. Open, critical, escalated to the owner.
id=$(at 2026-11-19T13:45:00Z $CARLA open --title "Glass shard found in a bag of beans" --customer "Fatima Zahra" \
  --contact fatima.zahra@example.com --preferred-contact phone --reference FC-12340 --channel phone \
  --category product --severity critical --tag safety --assignee $ANA --wants "An explanation and assurance" \
  --summary "I found a small piece of glass in the grinder hopper after pouring from your Brazil bag. Nobody was hurt.")
at 2026-11-19T14:00:00Z $ANA note "$id" --kind call "Called: apologised, asked her to keep the shard and the bag; courier to collect both."
at 2026-11-19T14:05:00Z $ANA note "$id" --kind listened "Summarised back: found in the hopper, from the Brazil bag, nobody hurt."
at 2026-11-19T14:30:00Z $ANA note "$id" "Batch B-1109 held in the roastery pending inspection."
at 2026-11-19T14:35:00Z $ANA escalate "$id" --to $CARLA --reason "Food safety: the owner decides on a recall of batch B-1109."

# 27. Resolved with no follow-up, then closed.
id=$(at 2026-10-16T10:00:00Z $BEN open --title "Newsletter keeps arriving after unsubscribing" --customer "Peter Novak" \
  --contact peter.novak@example.com --channel email --category website --severity low --tag newsletter --assignee $BEN \
  --summary "I unsubscribed twice and still get the weekly email.")
at 2026-10-16T11:00:00Z $BEN note "$id" --kind reply "Apologised; removed from both mailing lists."
at 2026-10-16T11:10:00Z $BEN resolve "$id" --summary "Removed from the old list the import had missed." --no-follow-up
at 2026-10-16T11:15:00Z $BEN close "$id"

# 28. Chat complaint about rude reply; open.
id=$(at 2026-11-20T16:00:00Z $BEN open --title "Support chat reply felt sarcastic" --customer "Julia Weber" \
  --contact julia.weber@example.com --channel chat --category service --tag tone \
  --summary "When I asked where my order was, the chat answered 'as the tracking page clearly says…'. I had checked it.")
at 2026-11-21T09:00:00Z $ANA assign "$id" $ANA

# 29. Phone complaint about card declined; waiting on bank.
id=$(at 2026-11-16T10:00:00Z $ANA open --title "Card declined but money taken" --customer "Samuel Green" \
  --contact samuel.green@example.com --reference FC-12288 --channel phone --category billing --severity high \
  --tag payment --assignee $ANA --wants "Money back or the order" \
  --summary "The checkout said my card was declined, but my banking app shows 42.00 taken.")
at 2026-11-16T10:20:00Z $ANA note "$id" --kind reply "Apologised; no order exists on our side; asked for the bank reference."
at 2026-11-17T09:00:00Z $ANA wait "$id" --on third-party --reason "payment provider's trace of the authorisation" --until 2026-11-24

# 30. Resolved long ago, follow-up missed (overdue).
id=$(at 2026-11-09T09:00:00Z $CARLA open --title "Wrong name on the invoice" --customer "Greta Lund" \
  --contact greta.lund@example.com --reference FC-12102 --channel email --category billing --severity low \
  --tag invoice --assignee $CARLA --wants "Corrected invoice" \
  --summary "The invoice is addressed to my old company name; I need it corrected for my expenses.")
at 2026-11-09T10:00:00Z $CARLA note "$id" --kind reply "Apologised; reissued the invoice."
at 2026-11-09T10:05:00Z $CARLA resolve "$id" --summary "Corrected invoice emailed; account company name updated." --agreed

echo "demo case log re-created: $(find cases -name '*.toml' | wc -l) cases"
