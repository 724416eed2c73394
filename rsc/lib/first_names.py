"""Common given names in the United States, lower case, for spotting a family code that holds a name.

Drawn from the names common among the families infant and early childhood mental health programs serve:
English, Spanish and Latino, African American, Somali, Hmong and Vietnamese. It does not need to be
complete: a code that is a first name and another word is flagged, any other code is not.

Left out on purpose: names that are also ordinary words, as a code might be made of them ("Blue Jay 2",
"Rose 4", "Hope House"): months (April, May, June, August), flowers, gems and colours (Rose, Lily, Daisy,
Ivy, Violet, Ruby, Pearl, Jade, Amber, Crystal, Hazel, Olive), virtues (Grace, Hope, Faith, Joy, Charity),
seasons and nature (Summer, Autumn, Dawn, Sky, Rain, Storm, River, Brook, Forest, Sage, Star), birds (Jay,
Robin, Wren), titles (King, Prince, Major, Angel), everyday words (Will, Bill, Mark, Pat, Sue, Rob, Don,
Art, Jack, Frank, Grant, Chase, Hunter, Carter, Ray, Penny, Holly, Honey, Sunny, Max) and places (Paris,
Dakota, Georgia, Virginia, Austin, Dallas). Among Hmong and Vietnamese names, the short ones that are
English words (An, My, Long, Hung, Pa, Bee, True) are left out too.
"""

_NAMES = """
    aaliyah aaron abby abdi abdiaziz abdifatah abdirahman abdul abdullahi abigail adam adan addison adrian
    adriana ahmed aidan aiden aisha alan alberto alejandra alejandro alex alexa alexander alexandra alexis
    alfredo ali alicia alisha alondra alyssa amanda amina amir amira amy ana andre andrea andres andrew angela
    angelica angelina anita anna annie anthony antonio araceli ariana ariel asha ashley ava ayaan ayan ayanna
    barbara beatriz benjamin betty beverly blanca brandon brenda brian brianna brittany bryan caleb camila
    camille carla carlos carmen carol carolina caroline catherine cecilia cesar charles charlotte chloe
    christian christina christopher cindy claudia connor cristian cynthia damian daniel daniela danielle darius
    darnell david deandre deborah deja denise derrick deshawn diana diego dolores dominic donna dorothy duc
    dylan edgar eduardo edwin elena elijah elizabeth ella emily emma emmanuel enrique eric erica erik ernesto
    esmeralda esperanza esther ethan eva evelyn fadumo farah farhan fatima fernanda fernando fozia francisco
    gabriel gabriela gerardo gloria guadalupe guled gustavo halima hamza hannah hassan hawa heather hector hibaq
    hibo hoa hodan huong ibrahim idil ilhan imani isaac isabel isabella isaiah ismail ivan jacob jacqueline jada
    jaden jaime jalen jamal jamar james jamie jasmine jason javier jayden jazmin jennifer jeremiah jerome
    jessica jesus joanna joel john johnny jonathan jordan jorge jose joseph joshua juan juana julia julian
    juliana julio justin kaitlyn karen karina katherine kayla keisha kenneth kevin keyona khadija kiara kimberly
    kou kyle latasha latisha latoya laura lauren layla leah leila leticia liam liban linda linh lisa logan
    lorena lucas lucia luis lupe luz madison maggie mai malik manuel marco marcos marcus margaret maria mariah
    maribel marisol marlon martha martin maryam maryan mateo matthew maurice megan melissa mia michael michelle
    miguel minh mohamed mohammed monica muna mustafa nadia najma nancy naomi nasra natalia natalie nathan
    nathaniel neng nhia nia nicholas nicole noah nora nou oliver olivia omar oscar osman pablo pamela pao paola
    patricia paul paula pedro phong quan rachel rafael ramon raquel rashad raul rebecca ricardo richard roberto
    rodrigo rosa rosario ruben ruth ryan sabrina sagal sahra samantha samira samuel sandra santiago sara sarah
    sebastian sergio shanice shaniqua shawn sheila shoua sofia sophia stephanie steven susan tamika tanisha
    tasha teresa terrell thanh thomas tiffany timothy tou trang trevon tuan tyler tyrone valentina valeria
    vanessa veronica victor victoria vivian william xavier xee yasmin yer yesenia yia yolanda yusuf zainab zoe
"""
FIRST_NAMES = frozenset(_NAMES.split())
