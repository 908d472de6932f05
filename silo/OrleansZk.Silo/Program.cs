using OrleansZk.Silo;

return await SiloHost.RunAsync(args);
