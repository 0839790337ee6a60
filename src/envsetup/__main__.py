from envsetup.entry import main

main()
