Console.WriteLine("0 seeds, 0 violations");
