/*
 * chair_synonyms.h - the CHAIR synonym table: LisaAnne/Hallucination
 * data/synonyms.txt (commit 6e4d33c), one string per line of that file, as
 * data.  Each line is one COCO category; chair.c strips the line ends and
 * splits on ", " as utils/chair.py does, so the quirks of the file stay:
 * the double spaces on the "motorcycle" and "cake" lines give entries
 * " motor bike" and " cheesecake" with a leading space, which never match;
 * "iPhone" is never matched either since captions are lowercased.
 * Included only by metrics/chair.c.
 */
#ifndef VL_CHAIR_SYNONYMS_H
#define VL_CHAIR_SYNONYMS_H

static const char *const chair_synonym_lines[] = {
	"person, girl, boy, man, woman, kid, child, chef, baker, people, adult, rider"
	", children, baby, worker, passenger, sister, biker, policeman, cop, officer"
	", lady, cowboy, bride, groom, male, female, guy, traveler, mother, father"
	", gentleman, pitcher, player, skier, snowboarder, skater, skateboarder, person"
	", woman, guy, foreigner, child, gentleman, caller, offender, coworker"
	", trespasser, patient, politician, soldier, grandchild, serviceman, walker"
	", drinker, doctor, bicyclist, thief, buyer, teenager, student, camper, driver"
	", solider, hunter, shopper, villager",
	"bicycle, bike, bicycle, bike, unicycle, minibike, trike",
	"car, automobile, van, minivan, sedan, suv, hatchback, cab, jeep, coupe, taxicab"
	", limo, taxi",
	"motorcycle, scooter,  motor bike, motor cycle, motorbike, scooter, moped",
	"airplane, jetliner, plane, air plane, monoplane, aircraft, jet, jetliner, airbus"
	", biplane, seaplane",
	"bus, minibus, trolley",
	"train, locomotive, tramway, caboose",
	"truck, pickup, lorry, hauler, firetruck",
	"boat, ship, liner, sailboat, motorboat, dinghy, powerboat, speedboat, canoe"
	", skiff, yacht, kayak, catamaran, pontoon, houseboat, vessel, rowboat, trawler"
	", ferryboat, watercraft, tugboat, schooner, barge, ferry, sailboard, paddleboat"
	", lifeboat, freighter, steamboat, riverboat, battleship, steamship",
	"traffic light, street light, traffic signal, stop light, streetlight, stoplight",
	"fire hydrant, hydrant",
	"stop sign",
	"parking meter",
	"bench, pew",
	"bird, ostrich, owl, seagull, goose, duck, parakeet, falcon, robin, pelican"
	", waterfowl, heron, hummingbird, mallard, finch, pigeon, sparrow, seabird"
	", osprey, blackbird, fowl, shorebird, woodpecker, egret, chickadee, quail"
	", bluebird, kingfisher, buzzard, willet, gull, swan, bluejay, flamingo"
	", cormorant, parrot, loon, gosling, waterbird, pheasant, rooster, sandpiper"
	", crow, raven, turkey, oriole, cowbird, warbler, magpie, peacock, cockatiel"
	", lorikeet, puffin, vulture, condor, macaw, peafowl, cockatoo, songbird",
	"cat, kitten, feline, tabby",
	"dog, puppy, beagle, pup, chihuahua, schnauzer, dachshund, rottweiler, canine"
	", pitbull, collie, pug, terrier, poodle, labrador, doggie, doberman, mutt, doggy"
	", spaniel, bulldog, sheepdog, weimaraner, corgi, cocker, greyhound, retriever"
	", brindle, hound, whippet, husky",
	"horse, colt, pony, racehorse, stallion, equine, mare, foal, palomino, mustang"
	", clydesdale, bronc, bronco",
	"sheep, lamb, ram, lamb, goat, ewe",
	"cow, cattle, oxen, ox, calf, cattle, holstein, heifer, buffalo, bull, zebu"
	", bison ",
	"elephant",
	"bear, panda",
	"zebra",
	"giraffe",
	"backpack, knapsack",
	"umbrella",
	"handbag, wallet, purse, briefcase",
	"tie, bow, bow tie",
	"suitcase, suit case, luggage",
	"frisbee",
	"skis, ski",
	"snowboard",
	"sports ball, ball",
	"kite",
	"baseball bat",
	"baseball glove",
	"skateboard",
	"surfboard, longboard, skimboard, shortboard, wakeboard",
	"tennis racket, racket",
	"bottle",
	"wine glass",
	"cup",
	"fork",
	"knife, pocketknife, knive",
	"spoon",
	"bowl, container",
	"banana",
	"apple",
	"sandwich, burger, sub, cheeseburger, hamburger",
	"orange",
	"broccoli",
	"carrot",
	"hot dog",
	"pizza",
	"donut, doughnut, bagel",
	"cake,  cheesecake, cupcake, shortcake, coffeecake, pancake",
	"chair, seat, stool",
	"couch, sofa, recliner, futon, loveseat, settee, chesterfield ",
	"potted plant, houseplant",
	"bed",
	"dining table, table, desk",
	"toilet, urinal, commode, toilet, lavatory, potty",
	"tv, monitor, televison, television",
	"laptop, computer, notebook, netbook, lenovo, macbook, laptop computer",
	"mouse",
	"remote",
	"keyboard",
	"cell phone, mobile phone, phone, cellphone, telephone, phon, smartphone, iPhone",
	"microwave",
	"oven, stovetop, stove, stove top oven",
	"toaster",
	"sink",
	"refrigerator, fridge, fridge, freezer",
	"book",
	"clock",
	"vase",
	"scissors",
	"teddy bear, teddybear",
	"hair drier, hairdryer",
	"toothbrush",
};

#endif
