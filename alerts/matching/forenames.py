"""Common given names of 106 countries, in Latin script, for telling a namesake from the watched person.

From the popular-names-by-country dataset (github.com/sigpwned/popular-names-by-country-dataset,
CC0-1.0), "Romanized Name" column of common-forenames-by-country.csv.
"""

FORENAMES = frozenset("""
Aada Aadhya Aarav Aariz Aaron Aarya Aasha Abbas Abd Abdallah Abdel Abdelkader Abdoulaye Abdul
Abdulaziz Abdulla Abdullah Abdullo Abdulrahman Abubakr AbulFazl Adam Adama Adele Adin Aditi
Adomas Adrian Adriana Adrians Adéla Afonso Agnes Agustina Agustín Ahmad Ahmed Ahmet Aiden
Aikaterini Aimar Aino Aisha Aisultan Aisyah Aitana Aiur Ajda Ajla Aksel Alanoud Albert Alberte
Aldiyar Alejandro Aleks Aleksandar Aleksander Aleksandr Aleksandra Aleksandre Alessandro Alessia
Alexander Alexandra Alexandru Alexey Alfie Ali Alice Alicja Alikhan Alina Aline Alinur Alisa
Alise Aliya Alma Alparslan Alteo Althea Alysha Amahle Amaia Amal Amar Amara Amaris Amayra Ambra
Ambre Amelia Amelija Amelja Amina Aminata Amine Amir Amira Ammar Amy Amálie Amēlija An Ana
Anahit Anar Anastasia Anastasija Anastasiya Andrea Andreas Andreea Andrei Andrej Andria Andrias
Andriy Androula Andrés Ane Angel Angela Angeliki Angelina Angeline Angelo Anna Annie Anohito
Antonella Antoni Antonio Antônia Antônio Anzu Ao Aoi Aoife Aputsiaq Aras Archie Areg Areni Ari
Aria Ariana Arianna Ariel Arjun Arman Armen Armine Aron Arpi Artem Arthur Artiom Artur Artyom
Aruuke Aruuzat Asaf Asel Asemahle Ashot Ashraqat Asilim Asiya Asja Asmita Assia Asta Astrid Asya
Athanasios Atlas August Aurora Ava Aviana Avigail Awa Aya Ayala Ayalah Ayesha Aygun Ayim Ayla
Aylin Ayoub Ayra Aysel Ayzere Ayşa Ayşe Azaria Azariah Aziz Azora Azra Aïcha Aþena Bader Bakary
Bandar Banele Baran Barbara Barbare Bautista Bayarmaa Beatrice Beatriz Ben Benas Bence Benedita
Benicio Benjamin Benjamín Berrdo Beshoi Bibek Biel Bilal Biljana Binita Bintou Bisera Bishal
Bismah Bogdan Bogdana Boglárka Bolormaa Boris Brahim Bruno Camila Camille Carl Carla Carlos
Carmen Carolina Catalina Cecília Celeste Celine Charbel Charles Charlie Charlotte Chedeline Chia
Chien Chih Chin Chloe Chloé Christian Christina Christos Chuluun Chun Cillian Ciro Clara
Concepción César Daisy Dalal Dalila Damian Damjan Dan Danel Daniel Daniela Daniels Daniil
Danijel Danna Danylo Daria Darija Daris Davi David Davit Davud Defne Dejan Delfina Demetre Dhia
Dhruv Diego Dimitar Dimitra Dimitrios Dion Djamel Djeneba Dmitry Dmytro Do Doha Dominik
Dominykas Dora Dorothy Dragan Dragana Duarte Dunja Dušan Dylan Dyllan Dániel Dārta Džan Ecrin
Edoardo Edward Eeli Eevi Eino Eisha Eitan Eithan Elchin Elena Elene Eleni Elias Elie Elif Elija
Elijah Elizabeth Elizaveta Eliška Ella Ellen Elli Ellie Elmar Elnur Elshan Elyas Elza Ema Eman
Embla Emelia Emely Emil Emilia Emiliano Emilija Emiliya Emily Emilía Emine Emir Emma Emmanuel
Emīls Esma Esperanza Esther Ethan Eun Eva Evelina Evelyn Evens Evgeny Evie Eylül Eymen Ezekiel
Fadi Fahad Fahd Faisal Fajr Fanta Farah Farida Farrah Farzana Fatemeh Fatima Fatin Fatma
Fatoumata Felipe Felix Fernanda Ferndo Fiadh Filip Finlay Finn Florence Fozia Fran Francesco
Francisca Francisco Franciszek Frederick Freja Freya Frida Frieda Fátima Fūma Gabija Gabor
Gabriel Gabriela Gabriele Gael Gagik Gamalat Gamila Gaspar Gayane George Georgi Georgia Georgios
Gerónimo Gevorg Gianna Gilli Ginevra Giorgi Gita Giulia Gogo Googoosh Goran Gordana Grace
Guadalupe Gunay Gunel Gustavs Guðrún Göktug Ha Habib Habiba Hadicha Halim Hamza Hana Hanna
Hannah Harper Harraz Harris Harry Haru Haruma Harun Haruna Haruto Hasan Hashem Hasmik Hasnaa
Hassan Hatice Hawa Hayk Heikapu Heitor Helena Helma Helmi Henry Herkus Hessa Himari Hina Hinano
Hinata Hinato Hiro Hjørdis Hoda Hosna Hosniya Hossein Hovhannes Hsiung Hudson Hugo Hur Huseyn
Hussa Hussain Hussein Hydar Hàorán Hàoyǔ Hüseyin Ian Ibai Iben Ibrahim Ida Igor Iker Ilgar Ilija
Iman Imene Iminathi Imogen Inaya Indira Inuk Inunnguag Inutsiaq Inès Ioane Ioanna Ioannis Ion
Irati Irene Irina Isaac Isabel Isabella Isabelle Isak Isidora Isla Islande Itsuki Ivaana Ivalu
Ivan Ivana Ivik Ivy Izaro Izz İnci İsmail Jack Jacob Jad Jade Jakob Jakov Jakub James Jameson
Jan Jana Javier Jelena Jennifer Jerónimo Jessica Ji Jiya Joe Joel John Jokūbas Jon Jonas Jordi
Jorge Jori Josefa Joseph Joshua Josiah Josip José Jouri Jovan Jovana João Ju Juan Juana Jude
Judeline Julen Jules Julia Juliana Julie Julieta Juliette Julija June Junior Jákup Jógvan Jón
Jónas Jökull Júlia Jēkabs Kabir Kabita Kadiatou Kai Kaia Kairo Kajus Kaloyan Kamal Kamilė Karam
Karen Karim Karima Karine Karolína Katerina Kathem Katla Kazi Keanu Keven Kevin Khadije Khaled
Khawla Khongordzol Kiaan Kiara Kiran Kirollos Kiwa Klea Koa Konstantina Konstantinos Konul Kora
Krishna Ksenija Kyra Kyriaki Kári Kārlis Laia Lamija Lan Lana Lara Latifa Laura Lavi Layla Lazar
Lea Leah Leandra Leano Leen Leevi Lejla Lena Leni Lenna Leo Leon Leonardo Leonor Leordo Lesedi
Lethabo Lethokuhle Lev Levente Levi Lewis Leyla Li Lia Liam Lian Lianne Lidia Liepa Lile Lili
Lilien Lilit Lilja Lillie Lilly Lily Lin Lina Linda Lio Lisakhanya Livia Liz Ljiljana Logan
Lorenzo Louis Louise Lourenço Lovelie Lovely Lovro Luana Lubanzi Luca Lucas Lucia Luciana Lucija
Lucía Ludovica Luis Luiz Luka Lukas Luknė Lukáš Lulwa Luna Lur Lusine Lwandle Lydia Lyn Lyna Léa
Léna Léo Lía Lív Lėja Mabel Maddi Maeva Maha Mahamadou Mahammad Mahdi Mahesh Mahmoud Maia Maitê
Maja Maksim Maksym Malachi Malak Malek Malen Maligiaq Malik Malthe Malu Mamadou Manaia Maneh
Manish Manua Manuel Manuela Marama Marc Marcell Marcia Marco Marcos Mareva Margaret Margarida
Mari Maria Mariam Mariami Mariana Marie Marija Marina Mario Marios Mariya Mark Markas Markel
Marko Marks Markus Marta Martha Marti Martim Martin Martina Martí Martín Marwa Mary Marya Maryam
Maryja María Matas Matei Matej Mateo Matija Matilda Matilde Matteo Matthew Matthildur Matthías
Mattia Mattias Matvey Matyáš Matías Matěj Maui Max Maxim Maximilian Maximiliano Maya Maysoun
Maël Maša Mees Mehar Mehdi Mehmet Mei Melina Melisa Melissa Melokuhle Meriem Merjem Merline
Mersana Meryem Mia Michael Michail Michal Michalis Miguel Mihail Mikael Mikaere Mikayel Mikhail
Miki Mikołaj Mila Milagrosa Milan Milana Milena Milica Millie Miloš Min Mina Minato Minik Mio
Mira Miraç Mirjana Mirlande Moana Modibo Moea Moeata Mohamed Mohammad Mohammed Mona Monte Moussa
Muhamad Muhammad Muhammed Murad Mustafa Mykhaylo Myrlande Máté Mädïna Mía Míngzé Mùchén Mùyáng
Nada Nagi Nagisa Nahia Naranbaatar Nare Narek Narine Natalia Natalija Nathalie Nathan Nathaniel
Natália Natálie Naura Naya Nazanin Naïm Nehir Nela Nelio Nesreen Neža Nia Nicole Nicolás Niel
Niharika Nik Nika Nikau Niko Nikodem Nikol Nikola Nikolaos Nikoloz Nil Nilay Nils Nina Nino Nivi
Niviaq Noa Noah Noam Noel Noemí Nomaan Noor Nora Norsaq Nouf Noûr Nuka Nur Nuray Nurislam Nurul
Nutsa Nóa Odval Ofentse Oihan Oisha Oisin Oisín Oleksandr Oleksandra Olga Oliver Olivia Olivér
Oliwia Omar Omer Omphile Ona Onni Oscar Oskar Osman Oumar Oumou Oyunbileg Pablo Panagiota
Panagiotis Paneeraq Paninnguaq Paraskevi Pari Patricia Patricija Patrícia Pau Paul Paula Paulo
Pedro Penelope Petar Peter Peterson Pierre Pipaluk Poema Pol Pola Polina Prakash Prasert Prem
Princess Puteri Qillaq Rabina Rachid Radmila Rafael Rahman Ralfs Ramazan Ramona Ramón Rania
Raphael Raphaël Raquel Rashad Rasmus Raul Ravi Raya Rayana Reem Reema Refael Regina Rei Reina
Relja Ren Renata Rethabile Reza Ria Ricardo Riccardo Richard Riko Rin Rita Roan Robert Roberts
Robin Roel Roghayyeh Roko Roman Ronja Rory Rose Rosie Rosmery Rowan Roxana Ruòxī Rían Saar
Safija Safiya Saga Sahar Said Sakeena Sakineh Sakura Saliha Salik Salma Salomé Sama Samantha
Samir Samuel Samvel Samyar Sandra Santiago Saqib Sara Sarah Sebastian Sebastián Sekou Selim
Selma Sem Seo Sergei Sesili Sevda Sevinj Shahd Shahem Shahid Shaikha Shaimaa Shams Shayma Sheikh
Sherifa Shivansh Shristi Shu Si Siddhartha Sienna Simona Siphosethu Sita Siti Snezana Snežana
Sobia Sofi Sofia Sofie Sofija Sofiya Sofía Solomiya Somayyeh Somboon Somchai Somporn Somsak
Sonia Soo Sophia Sophie Souleymane Stanisław Stanley Stefan Stella Stevenson Suha Sultan Sumayah
Sunita Susan Susanna Suzana Syed Szymon Sára Sóley Sólja Sō Sōma Tadhg Taha Taim Tamar Tamatoa
Tapuarii Tara Tarana Tareq Tarita Tatiana Tatsuki Tehei Teiki Teiva Teo Teodor Teodora Teresa
Tereza Tess Teura Teva Theo Theodor Theodore Thiago Thomas Théo Tiago Tiare Tigran Tim Timofey
Titaina Titaua Tobias Toivo Tom Tommaso Tomyris Tomás Tomáš Trinidad Tróndur Tuleen Tunar Turki
Uiloq Ulloriaq Umar Uri Usman Uta Vaea Valdemar Valentin Valentina Valeria Valter Vamika Varvara
Vasileios Vasilije Vasiliki Vasilisa Vedant Venla Vera Veronika Vesna Vicente Victor Victoria
Viktor Viktoria Viktorie Viktoriya Viktoría Viktória Violeta Viraj Vita Vittoria Vladyslav
Vojtěch Vugar Vuk Vusal Vusala Vár Väinö Wan Wassim Wateen Wen Widelene William Willow Wilson
Ximena Xīnyí Ya Yamato Yara Yasmin Yasmine Yasna Yassin Ye Yehuda Yekaterina Yelena Yeva Yoana
Younès Yousef Yousouf Youssef Yu Yua Yuina Yulia Yuna Yusef Yusif Yusuf Yìchén Yìhán Yìzé Yīnuò
Yūma Yūna Yǐmò Yǔtóng Yǔxuān Yǔxī Yǔzé Zahid Zahir Zahra Zainab Zala Zalán Zehra Zeinab Zeynab
Zeynep Zina Zion Zoe Zofia Zoran Zoé Zuzanna Zümra Zǐhán Àlex Ádám Álvaro Ámbar Ángel Éabha
Édouard Óliver Ömer Şerife Žan
""".split())
